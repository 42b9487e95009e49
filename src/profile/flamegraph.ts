/**
 * Files a person opens: a speedscope JSON (https://www.speedscope.app/file-format-schema.json) and
 * a self-contained HTML flame graph (data and code inline, no network): click a frame to zoom,
 * click the top bar to zoom out, type in the search box to highlight frames and see their share.
 */
import { sampleDurations, type CpuProfile } from './cpuprofile.js';
import { displayPath, urlToPath, type FlameNode } from './frames.js';

interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

const SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

/** One sampled profile per Node process: exact stacks in time order, weights in ms. */
export function speedscopeFromCpuProfiles(profiles: Array<{ name: string; profile: CpuProfile }>, cwd: string, exporter: string): object {
  const frames: SpeedscopeFrame[] = [];
  const frameIndex = new Map<string, number>();
  const out = profiles.map(({ name, profile }) => {
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const frameOf = (id: number): number | null => {
      const cf = byId.get(id)!.callFrame;
      if (cf.functionName === '(root)') return null;
      const key = `${cf.url}\0${cf.functionName}\0${cf.lineNumber}\0${cf.columnNumber}`;
      let index = frameIndex.get(key);
      if (index === undefined) {
        const file = displayPath(urlToPath(cf.url), cwd);
        frames.push({ name: cf.functionName || '(anonymous)', ...(file ? { file, line: cf.lineNumber + 1, col: cf.columnNumber + 1 } : {}) });
        frameIndex.set(key, (index = frames.length - 1));
      }
      return index;
    };
    const stackCache = new Map<number, number[]>();
    const stackOf = (id: number): number[] => {
      let stack = stackCache.get(id);
      if (!stack) {
        const up = parent.get(id);
        const own = frameOf(id);
        stack = [...(up === undefined ? [] : stackOf(up)), ...(own === null ? [] : [own])];
        stackCache.set(id, stack);
      }
      return stack;
    };
    const weights = sampleDurations(profile);
    const endValue = weights.reduce((s, w) => s + w, 0);
    return { type: 'sampled', name, unit: 'milliseconds', startValue: 0, endValue, samples: profile.samples.map(stackOf), weights };
  });
  return { $schema: SCHEMA, shared: { frames }, profiles: out, name: profiles[0]?.name ?? 'profile', activeProfileIndex: 0, exporter };
}

/** An evented profile from a flame tree (Python's rebuilt call tree): open/close events laid end to end. */
export function speedscopeFromFlame(name: string, root: FlameNode, exporter: string): object {
  const frames: SpeedscopeFrame[] = [];
  const frameIndex = new Map<string, number>();
  const events: Array<{ type: 'O' | 'C'; frame: number; at: number }> = [];
  const visit = (node: FlameNode, at: number): void => {
    const key = `${node.file}\0${node.name}\0${node.line}`;
    let index = frameIndex.get(key);
    if (index === undefined) {
      frames.push({ name: node.name, ...(node.file ? { file: node.file, line: node.line ?? 0 } : {}) });
      frameIndex.set(key, (index = frames.length - 1));
    }
    events.push({ type: 'O', frame: index, at });
    let t = at;
    for (const child of node.children) {
      visit(child, t);
      t += child.value;
    }
    events.push({ type: 'C', frame: index, at: at + node.value });
  };
  let t = 0;
  for (const child of root.children) {
    visit(child, t);
    t += child.value;
  }
  return {
    $schema: SCHEMA,
    shared: { frames },
    profiles: [{ type: 'evented', name, unit: 'milliseconds', startValue: 0, endValue: t, events }],
    name,
    activeProfileIndex: 0,
    exporter,
  };
}

const MIN_SHARE = 0.0005;
const MAX_NODES = 30_000;

/** Drops frames under 0.05% of the whole (they would be sub-pixel) so the page stays small. */
export function pruneFlame(root: FlameNode): FlameNode {
  const min = root.value * MIN_SHARE;
  let budget = MAX_NODES;
  const prune = (node: FlameNode): FlameNode => ({
    ...node,
    children: node.children
      .filter((c) => c.value >= min)
      .sort((a, b) => b.value - a.value)
      .filter(() => budget-- > 0)
      .map(prune),
  });
  return prune(root);
}

export interface FlamePage {
  title: string;
  subtitle: string;
  root: FlameNode;
  hottest: Array<{ function: string; file: string | null; line: number | null; selfPercent: number }>;
}

/** The HTML page: one file, no external requests. */
export function flameGraphHtml(page: FlamePage): string {
  const data = JSON.stringify({ ...page, root: pruneFlame(page.root) }).replace(/</g, '\\u003c');
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${esc(page.title)}</title>
<style>
body{font:13px system-ui,sans-serif;margin:0;padding:12px;color:#222}
h1{font-size:16px;margin:0 0 4px} .sub{color:#555;margin-bottom:8px}
#bar{display:flex;gap:8px;align-items:center;margin:8px 0}
#search{width:280px;padding:3px 6px} #match{color:#555}
#hot{margin:4px 0 10px;padding-left:22px} #hot li{margin:1px 0}
#flame{position:relative;width:100%;overflow:hidden;border-top:1px solid #ddd}
.f{position:absolute;height:17px;box-sizing:border-box;border:1px solid #fff;border-radius:2px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;padding:0 3px;font:11px/15px ui-monospace,monospace;cursor:pointer}
.f.ours{background:#f6a04d}.f.dep{background:#7fb2e5}.f.node{background:#c9c9c9}.f.nat{background:#e0d38a}.f.root{background:#eee}
.f.hit{background:#e8579b;color:#fff}.f.dim{opacity:.35}
</style></head><body>
<h1>${esc(page.title)}</h1><div class="sub">${esc(page.subtitle)}</div>
<div>Hottest frames (self time):</div><ol id="hot"></ol>
<div id="bar"><input id="search" type="search" placeholder="search functions or files (regex)"><button id="reset">reset zoom</button><span id="match"></span></div>
<div id="flame"></div>
<script id="data" type="application/json">${data}</script>
<script>
(function(){
var D=JSON.parse(document.getElementById('data').textContent);
var flame=document.getElementById('flame'),hot=document.getElementById('hot'),search=document.getElementById('search'),match=document.getElementById('match');
var H=18,focus=D.root,query=null;
function loc(n){return n.file?n.file+(n.line?':'+n.line:''):'';}
function kind(n){if(n===D.root)return'root';if(!n.file)return'nat';if(/^node:|^internal\\//.test(n.file))return'node';if(/node_modules|site-packages|dist-packages/.test(n.file))return'dep';return'ours';}
D.hottest.forEach(function(h){var li=document.createElement('li');li.textContent=h.function+' '+(h.file?'('+h.file+(h.line?':'+h.line:'')+')':'')+' '+h.selfPercent+'%';hot.appendChild(li);});
function parents(n){var path=[];(function find(x,acc){if(x===n){path=acc.concat([x]);return true;}for(var i=0;i<x.children.length;i++)if(find(x.children[i],acc.concat([x])))return true;return false;})(D.root,[]);return path;}
function matches(n){return query&&(query.test(n.name)||query.test(loc(n)));}
function render(){
  flame.textContent='';var W=flame.clientWidth||1000,maxDepth=0,matched=0;
  var chain=parents(focus);
  function box(n,depth,x,w){
    var d=document.createElement('div');d.className='f '+kind(n)+(query?(matches(n)?' hit':' dim'):'');
    d.style.left=(x*100)+'%';d.style.width=(w*100)+'%';d.style.top=(depth*H)+'px';
    d.textContent=n.name;var pct=(100*n.value/D.root.value).toFixed(1);
    d.title=n.name+(loc(n)?' '+loc(n):'')+'\\n'+n.value.toFixed(1)+' ms, '+pct+'% of all';
    d.onclick=function(){focus=n;render();};flame.appendChild(d);if(depth>maxDepth)maxDepth=depth;
  }
  chain.forEach(function(n,i){box(n,i,0,1);});
  var base=chain.length-1;
  (function lay(n,depth,x,w){
    var cx=x;n.children.forEach(function(c){var cw=w*c.value/(n.value||1);if(cw*W>=0.5){box(c,depth,cx,cw);if(matches(c))matched+=c.value;lay(c,depth+1,cx,cw);}cx+=cw;});
  })(focus,base+1,0,1);
  flame.style.height=((maxDepth+1)*H)+'px';
  match.textContent=query?'matched '+(100*matched/D.root.value).toFixed(1)+'% (nested matches counted once per frame)':'';
}
search.oninput=function(){try{query=search.value?new RegExp(search.value,'i'):null;}catch(e){query=null;}render();};
document.getElementById('reset').onclick=function(){focus=D.root;render();};
window.onresize=render;render();
})();
</script></body></html>
`;
}
