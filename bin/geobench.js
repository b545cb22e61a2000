#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run as-is from any working directory.
import { register } from 'tsx/esm/api';

register();
await import('../bench/cli/main.ts');
