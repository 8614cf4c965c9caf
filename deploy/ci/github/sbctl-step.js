'use strict';
// What main.js and post.js share: the action's inputs, the runner's files and running sbctl.
// Plain Node, no packages: nothing to install or vendor, and nothing but this file to review.

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');

/** An input as the runner passes it: INPUT_<NAME upper-cased, spaces as underscores>. */
function input(name, { required = false } = {}) {
  const value = (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim();
  if (required && value === '') {
    throw new Error(`the input '${name}' is required`);
  }
  return value;
}

/** Appends NAME<<DELIMITER entries to a runner file (GITHUB_STATE, GITHUB_OUTPUT), as @actions/core does. */
function appendEntry(variable, name, value) {
  const file = process.env[variable];
  if (!file) {
    throw new Error(`${variable} is not set: this runs as a GitHub Actions step`);
  }
  const delimiter = `ghadelimiter_${crypto.randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error('the value holds the delimiter');
  }
  fs.appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`, { encoding: 'utf8' });
}

/** A workflow command's data escaped as @actions/core does, so it stays on one line. */
function escapeData(text) {
  return String(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Runs sbctl with the broker's address and audience; its stdout and stderr go straight to the job's log,
 * so the runner reads sbctl's ::add-mask:: commands before anything else. Returns sbctl's exit code.
 */
function sbctl(args) {
  const executable = input('sbctl') || 'sbctl';
  const run = spawnSync(executable, [...args, '--address', input('address', { required: true }), '--audience', input('audience', { required: true })], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  if (run.error) {
    throw new Error(`cannot run '${executable}': ${run.error.code || run.error.message}`);
  }
  return run.status === null ? 1 : run.status;
}

/** Reports a failure the way the runner shows it, and fails the step. */
function fail(message) {
  process.stdout.write(`::error::${escapeData(message)}\n`);
  process.exitCode = 1;
}

module.exports = { appendEntry, escapeData, fail, input, sbctl };
