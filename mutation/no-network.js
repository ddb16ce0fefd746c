// Loaded before each suite of a mutation run (mutation/jest.config.js): a call to a service
// the test did not mock (Stripe's API, GitHub's) fails at once instead of going out to the
// network. A mutant that makes such a call is killed in a moment, where it used to hang until
// Stryker's timeout and cost a fresh test runner; the suites pass either way, since every call
// they expect is mocked with nock. Local servers (the test's own, Redis) stay reachable.
import nock from "nock";

nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
