#!/usr/bin/env node
// `npx hookpress …`: the TypeScript CLI run through tsx's loader (as `npm start` runs the server).
import { register } from 'tsx/esm/api';

register();
await import('../core/cli/main.ts');
