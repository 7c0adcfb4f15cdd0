import { runCli } from './program.js';

/** Entry point of `npx hookpress …` (bin/hookpress.js). */
const code = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
