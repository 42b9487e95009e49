/** Every CLI command, one line each. A command module exports `register(program)`. */
import type { Command } from 'commander';
import { register as skills } from './skills.js';
import { register as serve } from './serve.js';
import { register as explain } from './explain.js';
import { register as validate } from './validate.js';
import { register as profile } from './profile.js';
import { register as handoff } from './handoff.js';
import { register as loadTest } from './load-test.js';
import { register as hook } from './hook.js';

export const commands: Array<(program: Command) => void> = [skills, serve, explain, validate, profile, handoff, loadTest, hook];
