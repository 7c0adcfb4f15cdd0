import { environment } from '../config.js';
import { runCli } from './program.js';

/** Entry point of `npx hookpress …` (bin/hookpress.js). */
// The same configuration as `npm start`: the environment over .env (see environment()).
let env: NodeJS.ProcessEnv;
try {
  env = environment(process.env);
} catch (error) {
  process.stderr.write(`Error: ${(error as Error).message}\n`);
  process.exit(1);
}
const code = await runCli(process.argv.slice(2), { env, stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
