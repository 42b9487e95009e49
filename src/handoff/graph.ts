/**
 * The collaboration graph of every loaded skill: who delegates to whom (with trigger and pattern),
 * who complements whom, and who defers to whom. Skills that are named but not loaded are nodes too,
 * marked `loaded: false`, so a runner sees which specialists it would have to install.
 */
import { z } from 'zod';
import { DelegationPattern, type Skill } from '../skills/model.js';

export const CollaborationNode = z.object({
  id: z.string(),
  loaded: z.boolean(),
  name: z.string().optional(),
  description: z.string().optional(),
});

export const CollaborationEdge = z.object({
  from: z.string(),
  to: z.string(),
  kind: z.enum(['delegation', 'complementary', 'defers-to']),
  trigger: z.string().optional(),
  pattern: DelegationPattern.optional(),
  relationship: z.string().optional(),
});

export const CollaborationGraph = z.object({
  nodes: z.array(CollaborationNode),
  edges: z.array(CollaborationEdge),
});
export type CollaborationGraph = z.infer<typeof CollaborationGraph>;

export function collaborationGraph(skills: readonly Skill[]): CollaborationGraph {
  const loaded = new Map<string, Skill>();
  for (const s of skills) if (!loaded.has(s.id)) loaded.set(s.id, s);
  const edges: CollaborationGraph['edges'] = [];
  for (const s of loaded.values()) {
    for (const d of s.collaboration.delegation) {
      edges.push({ from: s.id, to: d.delegateTo, kind: 'delegation', trigger: d.trigger, pattern: d.pattern });
    }
    for (const c of s.collaboration.complementary) {
      edges.push({ from: s.id, to: c.skill, kind: 'complementary', ...(c.relationship ? { relationship: c.relationship } : {}) });
    }
    for (const d of s.identity.defersTo) {
      edges.push({ from: s.id, to: d.skill, kind: 'defers-to', ...(d.when ? { relationship: d.when } : {}) });
    }
  }
  const ids = new Set([...loaded.keys(), ...edges.map((e) => e.to)]);
  const nodes = [...ids].map((id) => {
    const s = loaded.get(id);
    return s ? { id, loaded: true, name: s.name, description: s.description } : { id, loaded: false };
  });
  return { nodes, edges };
}
