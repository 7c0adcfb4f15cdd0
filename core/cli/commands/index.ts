import type { CommandGroup } from '../program.js';
import { wuCommands } from './wu.js';

/**
 * Every command group of `hookpress`, one file each. A new group: add a file exporting a
 * CommandGroup and list it here.
 */
export const commandGroups: CommandGroup[] = [wuCommands];
