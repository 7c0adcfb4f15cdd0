import type { CommandGroup } from '../program.js';
import { wuCommands } from './wu.js';
import { accessCommands } from './access.js';
import { scaffoldCommands } from './scaffold.js';

/**
 * Every command group of `hookpress`, one file each. A new group: add a file exporting a
 * CommandGroup and list it here.
 */
export const commandGroups: CommandGroup[] = [wuCommands, accessCommands, scaffoldCommands];
