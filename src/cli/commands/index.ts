/** Every CLI command, one line each. A command module exports `register(program)`. */
import type { Command } from 'commander';
import { register as skills } from './skills.js';

export const commands: Array<(program: Command) => void> = [skills];
