#!/usr/bin/env node
// volc-im-mock-healthcheck: exits 0 when http://127.0.0.1:${PORT:-8080}/_mock/health answers 200 within 2 s,
// 1 otherwise. For container HEALTHCHECKs without curl. Only a bin: import isHealthy from ./health.js.
import { isHealthy } from './health.js';

isHealthy(process.env.PORT || 8080).then((ok) => process.exit(ok ? 0 : 1));
