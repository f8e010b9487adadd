#!/usr/bin/env node
// The `oms-dpm` command. The kit is written in TypeScript and run from source through tsx,
// so there is no build step between editing lib/ and running it (and tslab imports the same files).
'use strict';
require('tsx/cjs/api').register();
// `oms-dpm ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => { if (e && e.code === 'EPIPE') process.exit(0); throw e; });
require('../lib/cli/main.ts').main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; },
);
