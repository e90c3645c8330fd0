// CI: the PostgreSQL and Redis the test suites are pointed at must answer, or the run fails here with a
// clear message (rather than the suites skipping themselves as they do on a developer's machine).
import pg from 'pg';
import { Redis } from 'ioredis';

const postgresUrl = process.env.RETRACT_TEST_POSTGRES_URL;
const redisUrl = process.env.RETRACT_TEST_REDIS_URL;
const problems = [];

if (!postgresUrl) problems.push('RETRACT_TEST_POSTGRES_URL is not set');
else {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query('SELECT version() AS v');
    console.log(`PostgreSQL ok: ${rows[0].v.split(' on ')[0]}`);
  } catch (error) {
    problems.push(
      `PostgreSQL at ${postgresUrl.replace(/\/\/[^@]*@/, '//')} is unreachable: ${error.message}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

if (!redisUrl) problems.push('RETRACT_TEST_REDIS_URL is not set');
else {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    console.log(`Redis ok: ${await redis.ping()}`);
  } catch (error) {
    problems.push(`Redis at ${redisUrl} is unreachable: ${error.message}`);
  } finally {
    redis.disconnect();
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(`check-services: ${p}`);
  process.exit(1);
}
