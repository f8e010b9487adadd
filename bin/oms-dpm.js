#!/usr/bin/env node
// The `oms-dpm` command. The kit is written in TypeScript and run from source through tsx,
// so there is no build step between editing lib/ and running it (and tslab imports the same files).
'use strict';
require('tsx/cjs/api').register();
require('../lib/cli/main.ts').main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; },
);
