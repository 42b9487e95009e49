/**
 * Task texts in plain user phrasing and what handoff must answer. `own` is the answer with only the
 * built-in Performance Hunter loaded; `fixtures` (when it differs) is the answer once the fixture
 * specialists in test/fixtures/handoff are loaded too (their own triggers, tags and owned domains
 * then count). Expected: a skill id (decision handoff, that skill first), `stay`, `defer`,
 * `defer:<skill>` or `none`.
 */
export interface HandoffCase {
  text: string;
  own: string;
  fixtures?: string;
  /** Why this case is here, when it is a near-miss or a judgment call. */
  note?: string;
}

export const CASES: HandoffCase[] = [
  // vector-specialist
  { text: 'our vector search got really slow after we passed 10M embeddings', own: 'vector-specialist' },
  { text: 'HNSW ef_search tuning: we need recall above 0.95 without blowing the p99', own: 'vector-specialist' },
  { text: 'similarity search takes 2s per query', own: 'vector-specialist' },
  { text: 'The embeddings lookup is sluggish.', own: 'vector-specialist' },
  { text: 'a slow pgvector query in the recommendations endpoint', own: 'vector-specialist' },
  { text: 'how do I choose the M parameter for an HNSW index?', own: 'defer:vector-specialist', note: 'no speed complaint: vector index design is theirs' },
  { text: 'which embedding model should we use for semantic search', own: 'defer:vector-specialist', note: 'embeddings are named in defers_to' },
  { text: 'should we add reranking to our RAG pipeline', own: 'none', fixtures: 'defer:vector-specialist', note: 'their own domain, known only once the skill is loaded' },

  // graph-engineer
  { text: 'our Cypher queries time out on large graphs', own: 'graph-engineer' },
  { text: 'neo4j traversal is slow for friends-of-friends', own: 'graph-engineer' },
  { text: 'graph queries are slow since we added the follower edges', own: 'graph-engineer' },
  { text: 'design a cypher data model for our social network', own: 'defer:graph-engineer' },
  { text: 'the graph on the dashboard is slow to render', own: 'stay', note: 'near-miss: a chart, not a graph database; slow rendering is ours' },
  { text: 'write a poem about graphs', own: 'none', note: 'near-miss' },

  // temporal-craftsman
  { text: 'temporal workers cannot keep up, schedule-to-start latency is 30s', own: 'temporal-craftsman' },
  { text: 'activities are slow in our Temporal cluster', own: 'temporal-craftsman' },
  { text: 'our GitHub Actions workflow is slow', own: 'stay', note: 'near-miss: CI, not Temporal; making it faster is still a speed question' },
  { text: 'how should I structure retries in a durable temporal workflow?', own: 'defer:temporal-craftsman' },

  // event-architect
  { text: 'kafka consumer lag keeps growing during the evening peak', own: 'event-architect' },
  { text: 'events are piling up and the consumers are lagging behind', own: 'event-architect' },
  { text: 'the event loop is blocked by a synchronous file read', own: 'stay', note: 'near-miss: "event" but Node\'s event loop' },
  { text: 'set up a kafka topic for order events', own: 'none', fixtures: 'defer:event-architect' },
  { text: 'we are planning the company summer event', own: 'none', note: 'near-miss' },

  // ml-memory
  { text: 'agent memory retrieval takes 800ms per turn', own: 'ml-memory' },
  { text: 'how should our agent consolidate long-term memories overnight?', own: 'defer:ml-memory' },
  { text: 'memory leak in the node service after the last deploy', own: 'stay', note: 'near-miss: process memory, not agent memory' },

  // privacy-guardian
  { text: 'KMS decrypt calls add 40ms to every request', own: 'privacy-guardian' },
  { text: 'encryption overhead is killing our throughput', own: 'privacy-guardian' },
  { text: 'the TLS handshake takes 300 ms on mobile', own: 'privacy-guardian' },
  { text: 'we need a privacy implementation review for the new signup form', own: 'defer:privacy-guardian' },
  { text: 'implement GDPR-compliant data deletion', own: 'defer:privacy-guardian', note: 'GDPR folds into privacy' },

  // postgres-wizard
  { text: 'EXPLAIN ANALYZE shows a seq scan on the orders table', own: 'postgres-wizard' },
  { text: 'postgres is doing a sequential scan, the index is not used', own: 'postgres-wizard' },
  { text: 'the query plan changed after the upgrade and the nightly report got slower', own: 'postgres-wizard' },
  { text: 'autovacuum is not keeping up and table bloat hurts query latency', own: 'postgres-wizard' },
  { text: 'how do I vacuum the carpet in the living room', own: 'none', note: 'near-miss' },

  // ours
  { text: 'our checkout endpoint p99 went from 200ms to 2s', own: 'stay' },
  { text: 'we have an N+1 problem in the order list page', own: 'stay' },
  { text: 'connection pool exhausted under load', own: 'stay' },
  { text: 'how do I profile a python service in production', own: 'stay' },
  { text: 'add caching to the product API, it is too slow', own: 'stay' },
  { text: 'run a load test against staging before the launch', own: 'stay' },
  { text: 'the app feels laggy', own: 'stay' },
  { text: 'Redis cache hit rate dropped to 40% and latency doubled', own: 'stay' },

  // boundaries without a skill
  { text: 'run a causal inference analysis on last month\'s A/B test', own: 'defer' },
  { text: 'design the memory hierarchy for our assistant', own: 'defer:ml-memory' },

  // nothing
  { text: 'what is the weather tomorrow', own: 'none' },
  { text: 'fix the typo in the README', own: 'none' },
  { text: 'write my annual performance review', own: 'none', note: 'near-miss: people performance' },
];
