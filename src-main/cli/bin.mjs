#!/usr/bin/env node
// Entry of the `ecg-review` command: registers tsx so the TypeScript sources run as they are, right after
// `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
