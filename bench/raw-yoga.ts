import { createServer } from 'node:http';
import { createYoga } from 'graphql-yoga';
import { schema } from '../src/graph/schema';

/**
 * The baseline of bench/runtime.ts: Yoga over the same schema with Yoga's defaults and nothing of ours
 * (no auth, limits, metrics, tracing, logging, rate limit): what `{ __typename }` costs in Yoga itself.
 */
const yoga = createYoga({ schema, graphiql: false, landingPage: false, logging: false });
const server = createServer((req, res) => void yoga.requestListener(req, res));
server.listen(Number(process.env.PORT ?? 4900), '127.0.0.1', () => {
  process.stdout.write('raw yoga ready\n');
});
