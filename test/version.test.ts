// The version runj reports and stamps into every event is package.json's.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { RUNJ_VERSION } from '../src/version.js'

t.equal(RUNJ_VERSION, (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version)
