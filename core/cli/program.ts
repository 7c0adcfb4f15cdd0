import { Command, CommanderError } from 'commander';
import { HookpressError } from '../errors.js';
import { defineErrorCodes } from '../errors.js';
import { createCliContext, type CliContext } from './context.js';
import { commandGroups } from './commands/index.js';

defineErrorCodes('cli', {
  CLI_USAGE: { status: 400, description: 'A command line that does not parse (unknown command or option, missing argument).' },
  CLI_INVALID_FIELD: { status: 400, description: 'A --fields / --field name the item does not have.' },
  CLI_TEST_FAILED: { status: 502, description: 'hookpress wu webhook test: the endpoint did not answer 2xx.' },
  CLI_SERVICE_MISSING: { status: 503, description: 'The plugin that provides a command’s service is not active.' },
});

/**
 * One group of subcommands (one file in core/cli/commands/, listed in commands/index.ts):
 * `register` adds its commands to the root program. Actions get the CliContext.
 */
export interface CommandGroup {
  name: string;
  register(program: Command, ctx: CliContext): void;
}

/** The root `hookpress` program with every group registered. */
export function buildProgram(ctx: CliContext, groups: readonly CommandGroup[] = commandGroups): Command {
  const program = new Command('hookpress')
    .description('Manage a Hookpress network from the command line (WP-CLI style).')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      // commander's own messages already start with "error:"; WP-CLI prints "Error: …".
      writeErr: (s) => ctx.stderr.write(s.replace(/^error: /i, 'Error: ')),
    });
  for (const group of groups) group.register(program, ctx);
  return program;
}

/**
 * Runs one command line (argv without node and the script) and resolves to its exit status,
 * as WP-CLI does: 0 on success, 1 on an error (message on stderr as "Error: …").
 */
export async function runCli(argv: string[], io: { env: NodeJS.ProcessEnv; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const ctx = createCliContext(io);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander with exit code 0.
      return error.exitCode === 0 ? 0 : 1;
    }
    if (error instanceof HookpressError) {
      io.stderr.write(`Error: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`Error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  } finally {
    await ctx.close();
  }
}
