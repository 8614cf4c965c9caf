'use strict';
// The action's main step: sbctl leases the credential, writes ::add-mask:: for each of its values and
// appends them to $GITHUB_ENV. sbctl asks GitHub's token endpoint for the job's OIDC token itself.
// The lease id is kept as the action's state, so post.js revokes this lease and no other.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { appendEntry, fail, input, sbctl } = require('./sbctl-step.js');

// The same pattern the broker accepts for ids; anything else is not saved where a later step reads it.
const LEASE_ID = /^[A-Za-z0-9._:-]{1,200}$/;

function main() {
  const run = process.env.GITHUB_RUN_ID || '';
  if (!/^[0-9]+$/.test(run)) {
    throw new Error('GITHUB_RUN_ID is not set: this runs as a GitHub Actions step');
  }

  const folder = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'secretsbroker-'));
  const leaseIdFile = path.join(folder, 'lease-id');
  try {
    const args = [
      'lease',
      '--role', input('role', { required: true }),
      '--run', run,
      '--step', input('step', { required: true }),
      '--purpose', input('purpose', { required: true }),
      '--format', 'github',
      '--lease-id-file', leaseIdFile,
    ];
    const ttl = input('ttl');
    if (ttl !== '') {
      args.push('--ttl', ttl);
    }

    const status = sbctl(args);
    // Read even when sbctl failed: a lease issued but not exported is still revoked by post.js.
    const leaseId = fs.existsSync(leaseIdFile) ? fs.readFileSync(leaseIdFile, 'utf8').trim() : '';
    if (LEASE_ID.test(leaseId)) {
      appendEntry('GITHUB_STATE', 'lease_id', leaseId);
      if (process.env.GITHUB_OUTPUT) {
        appendEntry('GITHUB_OUTPUT', 'lease-id', leaseId);
      }
    }
    if (status !== 0) {
      fail(`sbctl lease failed (exit ${status}); its error is above`);
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  fail(error.message);
}
