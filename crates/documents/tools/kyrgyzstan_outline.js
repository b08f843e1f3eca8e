const topo = require('./package/countries-50m.json');
const t = topo.transform;
const arcs = topo.arcs.map(a => { let x=0,y=0; return a.map(p => { x+=p[0]; y+=p[1]; return [x*t.scale[0]+t.translate[0], y*t.scale[1]+t.translate[1]]; }); });
const geom = topo.objects.countries.geometries.find(g => g.id === '417');
function arc(i){ return i>=0 ? arcs[i] : arcs[~i].slice().reverse(); }
function ring(r){ let out=[]; r.forEach((i,k)=>{ const a=arc(i); out = out.concat(k? a.slice(1): a); }); return out; }
let polys = geom.type==='Polygon' ? [geom.arcs] : geom.arcs;
// Douglas-Peucker
function dp(pts, eps){ if(pts.length<3) return pts; let dmax=0, idx=0; const [a,b]=[pts[0],pts[pts.length-1]];
 for(let i=1;i<pts.length-1;i++){ const d=dist(pts[i],a,b); if(d>dmax){dmax=d;idx=i;} }
 if(dmax>eps){ const l=dp(pts.slice(0,idx+1),eps), r=dp(pts.slice(idx),eps); return l.slice(0,-1).concat(r);} return [a,b]; }
function dist(p,a,b){ const dx=b[0]-a[0], dy=b[1]-a[1]; const L=dx*dx+dy*dy; if(L===0) return Math.hypot(p[0]-a[0],p[1]-a[1]);
 let t=((p[0]-a[0])*dx+(p[1]-a[1])*dy)/L; t=Math.max(0,Math.min(1,t)); return Math.hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy); }
const rings = polys.map(p => ring(p[0])).map(r => dp(r, 0.02)).filter(r => r.length >= 4);
console.log(geom.properties, polys.length, rings.map(r=>r.length));
let s = '';
rings.forEach(r => { s += '    &[\n'; r.forEach(p => { s += `        (${p[0].toFixed(3)}, ${p[1].toFixed(3)}),\n`; }); s += '    ],\n'; });
require('fs').writeFileSync('rings.txt', s);
