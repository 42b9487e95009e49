/**
 * connection-per-request: a database, Redis or HTTP client (or pool) constructed inside a function
 * that runs per request or job, or opened and closed on every call of a function. Each call pays
 * the TCP/TLS/auth handshake, and connections grow with traffic until the server refuses them.
 * Factories, lazy singletons, constructors and start-up code keep the client and are left alone.
 */
import { z } from 'zod';
import type { ts as TsApi } from 'ts-morph';
import type { Node as PyNode } from 'web-tree-sitter';
import { defineDetector } from '../../define.js';
import { anyOf, compileShapes, compileTsShapes, requireAll, shapeLiterals } from '../../engine/names.js';
import { enclosingFunction } from '../../engine/scope-ts.js';
import { descendantsPy, enclosingFunction as enclosingPyFunction } from '../../engine/scope-py.js';
import { perLanguageShapes, shapesFor } from '../../options.js';
import {
  fatePy,
  fateTs,
  functionNamePy,
  isClosedInPy,
  isClosedInTs,
  isScriptPy,
  isStartupFunctionPy,
  isStartupFunctionTs,
  perRequestPy,
  perRequestTs,
  topLevelCalleesTs,
} from './helpers.js';

const TS_CLIENTS = [
  'pg.Client', 'pg.Pool', 'postgres', '@neondatabase/serverless.Pool', '@neondatabase/serverless.Client',
  'mysql.createConnection', 'mysql.createPool', 'mysql2.createConnection', 'mysql2.createPool',
  'mysql2/promise.createConnection', 'mysql2/promise.createPool',
  'ioredis', 'ioredis.Redis', 'ioredis.Cluster', 'redis.createClient', 'redis.createCluster', '@redis/client.createClient',
  'mongodb.MongoClient', 'mongoose.createConnection',
  '@prisma/client.PrismaClient', 'knex', 'sequelize', 'sequelize.Sequelize', 'typeorm.DataSource',
  'undici.Pool', 'undici.Agent', 'undici.Client', 'http.Agent', 'https.Agent',
];

const PY_CLIENTS = [
  'asyncpg.connect', 'asyncpg.create_pool', 'psycopg2.connect', 'psycopg.connect', 'psycopg.AsyncConnection.connect',
  'psycopg_pool.ConnectionPool', 'psycopg_pool.AsyncConnectionPool', 'pymysql.connect', 'aiomysql.connect',
  'aiomysql.create_pool', 'mysql.connector.connect',
  'redis.Redis', 'redis.StrictRedis', 'redis.from_url', 'redis.Redis.from_url', 'redis.asyncio.Redis',
  'redis.asyncio.from_url', 'redis.asyncio.Redis.from_url', 'aioredis.from_url', 'aioredis.Redis',
  'pymongo.MongoClient', 'motor.motor_asyncio.AsyncIOMotorClient',
  'sqlalchemy.create_engine', 'sqlalchemy.ext.asyncio.create_async_engine',
  'httpx.Client', 'httpx.AsyncClient', 'aiohttp.ClientSession', 'requests.Session', 'requests.session',
  'elasticsearch.Elasticsearch', 'elasticsearch.AsyncElasticsearch', 'boto3.client', 'boto3.resource',
];

/** Keyword arguments that hand the client a shared pool: then making the client is cheap. */
const PY_SHARED_POOL_KEYWORDS = new Set(['connection_pool', 'connector', 'pool', 'transport', 'engine', 'bind']);

/** Callables that take a configuration object; a call with anything else is a query (`knex('users')`). */
const NEEDS_CONFIG_OBJECT = new Set(['knex']);

export default defineDetector({
  id: 'connection-per-request',
  family: 'connections',
  sharpEdge: 'connection-pool-exhaustion',
  severity: 'medium',
  confidence: 'medium',
  status: 'stable',
  requiresTypeInfo: false,
  fix: 'Create the pool or client once at module load or application start-up (lifespan, onReady) and reuse it; pass it in instead of constructing it per call.',
  docs: {
    why:
      'A client created per request opens a new connection per request: every call pays the TCP, TLS and authentication handshake (often more than the query), and under load the number of open connections grows with traffic until the database or Redis refuses new ones ("too many connections"). A pool created per request is worse: it never pools anything.',
    example: {
      typescript: `import express from 'express';\nimport { Client } from 'pg';\nconst app = express();\napp.get('/users/:id', async (req, res) => {\n  const client = new Client({ connectionString: process.env.DATABASE_URL });\n  await client.connect();\n  const { rows } = await client.query('SELECT * FROM users WHERE id = $1', [req.params.id]);\n  await client.end();\n  res.json(rows[0]);\n});\n`,
      python: `import httpx\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get("/weather/{city}")\nasync def weather(city: str):\n    async with httpx.AsyncClient(timeout=5) as client:\n        return (await client.get(f"https://api.example.com/{city}")).json()\n`,
    },
    useInstead: {
      typescript: `import express from 'express';\nimport { Pool } from 'pg';\nconst app = express();\nconst pool = new Pool({ max: 20 });\napp.get('/users/:id', async (req, res) => {\n  const { rows } = await pool.query('SELECT * FROM users WHERE id = $1', [req.params.id]);\n  res.json(rows[0]);\n});\n`,
      python: `import httpx\nfrom fastapi import FastAPI\n\napp = FastAPI()\nclient = httpx.AsyncClient(timeout=5)\n\n@app.get("/weather/{city}")\nasync def weather(city: str):\n    return (await client.get(f"https://api.example.com/{city}")).json()\n`,
    },
    whenNotToUse:
      'Clients that outlive the call are left alone: factories that return the client, lazy singletons that store it on an outer variable, `globalThis`, `this`, `app.state` or a cache, class constructors, and start-up code (module top level, `main`/`bootstrap`/`lifespan`/`on_event("startup")` functions, functions a script calls at top level, files with `if __name__ == "__main__"`). A redis-py or aiohttp client handed a shared `connection_pool=`/`connector=` is cheap to make and not flagged, nor is a per-request ORM session (`Session(engine)`), which borrows from the engine\'s pool. A function not recognised as per-request that keeps its client open is not flagged (nothing shows it runs often).',
    references: [
      'https://node-postgres.com/features/pooling',
      'https://www.python-httpx.org/advanced/clients/',
      'https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections',
    ],
  },
  messages: {
    perRequest: '{{client}} is created inside {{where}}: a new client and connection for every request or job instead of one shared pool.',
    perCall: '{{client}} is opened and closed on every call of {{fn}}: each call pays a fresh connection handshake; create it once and reuse it.',
  },
  options: z.object({
    /** Constructors and factories (dotted globs over resolved names) that open a client, connection or pool. */
    clientConstructors: perLanguageShapes({ typescript: TS_CLIENTS, python: PY_CLIENTS }),
    /** Resolved names never to flag. */
    ignore: z.array(z.string()).default([]),
  }),
  requires: (options, language) => requireAll(shapeLiterals(shapesFor(options.clientConstructors, language))),
  visit: {
    typescript: (ctx, options) => {
      const ts = ctx.ts;
      const isClient = compileTsShapes(options.clientConstructors);
      const isIgnored = compileShapes(options.ignore);
      let scriptEntries: Set<string> | undefined;

      const check = (node: TsApi.CallExpression | TsApi.NewExpression): void => {
        const name = ctx.names.qualifiedName(node.expression);
        if (!isClient(name) || isIgnored(name)) return;
        const first = node.arguments?.[0];
        if (NEEDS_CONFIG_OBJECT.has(name!) && !(first && ts.isObjectLiteralExpression(first))) return;
        const fn = enclosingFunction(ts, node);
        if (!fn) return; // module top level: created once
        const fate = fateTs(ts, node, fn);
        if (fate.kind === 'kept') return;
        const perRequest = perRequestTs(ts, node);
        if (perRequest) {
          ctx.report({ node, messageId: 'perRequest', data: { client: name!, where: perRequest.where } });
          return;
        }
        scriptEntries ??= topLevelCalleesTs(ts, ctx.sourceFile);
        if (isClosedInTs(ts, fn, fate.variable) && !isStartupFunctionTs(ts, fn, scriptEntries)) {
          const fnName = ts.isFunctionDeclaration(fn) && fn.name ? fn.name.text : ts.isVariableDeclaration(fn.parent) ? fn.parent.name.getText() : 'this function';
          ctx.report({ node, messageId: 'perCall', data: { client: name!, fn: fnName } });
        }
      };
      return {
        NewExpression: check,
        CallExpression: check,
      };
    },
    python: (ctx, options) => {
      const isClient = compileShapes(options.clientConstructors.python);
      const isIgnored = compileShapes(options.ignore);
      let dependencies: Set<string> | undefined;
      let script: boolean | undefined;

      /** FastAPI dependencies run per request: `Depends(get_client)` anywhere in the file. */
      const dependencyNames = (root: PyNode): Set<string> => {
        const names = new Set<string>();
        for (const n of descendantsPy(root)) {
          if (n.type !== 'call' || !/(^|\.)(Depends|Security)$/.test(n.childForFieldName('function')?.text ?? '')) continue;
          const arg = n.childForFieldName('arguments')?.namedChildren[0];
          if (arg?.type === 'identifier') names.add(arg.text);
        }
        return names;
      };
      const sharesPool = (call: PyNode): boolean =>
        (call.childForFieldName('arguments')?.namedChildren ?? []).some(
          (a) => a?.type === 'keyword_argument' && PY_SHARED_POOL_KEYWORDS.has(a.childForFieldName('name')?.text ?? ''),
        );

      return {
        call(node) {
          const callee = node.childForFieldName('function');
          const name = callee ? ctx.names.qualifiedName(callee) : undefined;
          if (!isClient(name) || isIgnored(name) || sharesPool(node)) return;
          const fn = enclosingPyFunction(node);
          if (!fn || fn.type !== 'function_definition') return;
          const fate = fatePy(node, fn);
          if (fate.kind === 'kept') return;
          const root = node.tree.rootNode;
          dependencies ??= dependencyNames(root);
          const perRequest = perRequestPy(node, dependencies);
          if (perRequest) {
            ctx.report({ node, messageId: 'perRequest', data: { client: name!, where: perRequest.where } });
            return;
          }
          script ??= isScriptPy(root);
          const closed = fate.managed || isClosedInPy(fn, fate.variable);
          if (closed && !script && !isStartupFunctionPy(fn)) {
            ctx.report({ node, messageId: 'perCall', data: { client: name!, fn: functionNamePy(fn) ?? 'this function' } });
          }
        },
      };
    },
  },
});
