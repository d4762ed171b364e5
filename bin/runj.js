#!/usr/bin/env node
// The runj executable: loads the bundle built by `npm run build` (scripts/build.mjs).
import '../dist/runj.js'
