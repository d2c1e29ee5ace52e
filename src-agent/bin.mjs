#!/usr/bin/env node
// Entry of `ecg-review-agent`: registers tsx so the TypeScript sources run as they are, then starts the agent.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
