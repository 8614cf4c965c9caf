'use strict';
// The action's post step, run when the job ends however it ended (post-if: always()): revokes the
// lease main.js saved. sbctl asks GitHub's token endpoint for a fresh OIDC token, since the job's
// first one may have expired by now.

const { fail, sbctl } = require('./sbctl-step.js');

function post() {
  const leaseId = (process.env.STATE_lease_id || '').trim();
  if (leaseId === '') {
    process.stdout.write('no lease to revoke: the main step issued none\n');
    return;
  }

  const status = sbctl(['lease', 'revoke', leaseId]);
  if (status !== 0) {
    fail(`sbctl lease revoke ${leaseId} failed (exit ${status}); the lease ends at its expiry, or revoke it with 'sbctl lease revoke ${leaseId}'`);
  }
}

try {
  post();
} catch (error) {
  fail(error.message);
}
