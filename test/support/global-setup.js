// Decides once per test run whether the mongoose store can be tested here: against
// MONGODB_URI when it is set, else against a replica set from mongodb-memory-server (which
// downloads a mongod binary, so it fails on machines without internet access). The contract
// suites read JASPER_TEST_MONGODB_URI; when it is absent they run the in-memory store only,
// and this prints one line saying so and why.
const START_TIMEOUT_MS = 60_000;

export default async function globalSetup() {
  const given = process.env.MONGODB_URI;
  if (given && given !== "memory") {
    process.env.JASPER_TEST_MONGODB_URI = given;
    console.log("\nmongoose store: contract suites run against MONGODB_URI");
    return;
  }
  // mongodb-memory-server warns with whole stack traces when it cannot download; the one
  // line below says the same, so its warnings are held back while it tries.
  const warn = console.warn;
  console.warn = () => {};
  try {
    const { MongoMemoryReplSet } = await import("mongodb-memory-server-core");
    const replSet = await withTimeout(
      MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: "wiredTiger" } }),
      START_TIMEOUT_MS,
    );
    globalThis.__JASPER_MONGO__ = replSet;
    process.env.JASPER_TEST_MONGODB_URI = replSet.getUri();
    console.log(
      "\nmongoose store: contract suites run against a mongodb-memory-server replica set",
    );
  } catch (err) {
    const reason = String(err?.message ?? err)
      .replace(/\s+/g, " ")
      .slice(0, 300);
    console.log(
      `\nmongoose store: NOT tested in this run (no MONGODB_URI, and mongodb-memory-server could not start: ${reason}); the in-memory store ran the same contract suites`,
    );
  } finally {
    console.warn = warn;
  }
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no server within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
