/**
 * The status page's only stylesheet, inlined so the page is one request and works offline
 * when saved. Colours meet WCAG AA (4.5:1) for text in both schemes; state is never shown by
 * colour alone (every badge has an icon and a word; failed bar segments are also striped).
 */
export const STATUS_PAGE_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f5f7f9; --card: #ffffff; --text: #1b1f24; --muted: #525c67; --border: #d5dbe1;
  --link: #0550ae; --focus: #0969da;
  --ok-fg: #0f5c24; --ok-bg: #e3f6e8; --ok-line: #2b8a45; --ok-bar: #2b8a45;
  --warn-fg: #6c4400; --warn-bg: #fff4cc; --warn-line: #b07800; --warn-bar: #c99000;
  --down-fg: #a1101f; --down-bg: #fde8e8; --down-line: #cf222e; --down-bar: #cf222e;
  --unk-fg: #4a535d; --unk-bg: #eceff2; --unk-line: #7b8590; --unk-bar: #9aa3ad;
  --shadow: 0 1px 2px rgba(27, 31, 36, .06), 0 1px 8px rgba(27, 31, 36, .04);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1116; --card: #161b22; --text: #e6edf3; --muted: #a0a9b4; --border: #30363d;
    --link: #6cb6ff; --focus: #6cb6ff;
    --ok-fg: #6fdd8b; --ok-bg: #12261a; --ok-line: #2ea043; --ok-bar: #2ea043;
    --warn-fg: #f0c24b; --warn-bg: #2b2210; --warn-line: #bb8009; --warn-bar: #d29922;
    --down-fg: #ff9492; --down-bg: #341516; --down-line: #f85149; --down-bar: #f85149;
    --unk-fg: #b1bac4; --unk-bg: #21262d; --unk-line: #6e7681; --unk-bar: #6e7681;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "DejaVu Sans", Arial, sans-serif;
  font-variant-numeric: tabular-nums;
}
a { color: var(--link); text-underline-offset: .15em; }
a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
.skip { position: absolute; left: -999px; top: 0; }
.skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: .5rem 1rem; z-index: 1; }
.wrap { max-width: 76rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
header.top { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: .25rem 1.5rem; margin-bottom: 1rem; }
.brand { margin: 0; font-size: 1.5rem; font-weight: 700; letter-spacing: -.01em; }
.brand small { display: block; font-size: .9rem; font-weight: 400; color: var(--muted); letter-spacing: 0; }
.meta { margin: 0; color: var(--muted); font-size: .875rem; }
.banner {
  display: flex; gap: 1rem; align-items: flex-start; padding: 1.1rem 1.25rem; border-radius: 10px;
  border: 1px solid var(--line); border-left-width: 6px; background: var(--tint); color: var(--ink);
  margin-bottom: 1.25rem;
}
.banner > .icon { width: 2.25rem; height: 2.25rem; flex: none; margin-top: .05rem; }
.banner h2 { margin: 0; font-size: 1.3rem; line-height: 1.3; }
.banner p { margin: .3rem 0 0; }
.banner ul { margin: .4rem 0 0; padding-left: 1.1rem; }
.banner li { margin: .15rem 0; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; margin: .6rem 0 0; padding: 0; list-style: none; font-size: .9rem; }
.s-ok, .s-healthy { --ink: var(--ok-fg); --tint: var(--ok-bg); --line: var(--ok-line); --bar: var(--ok-bar); }
.s-degraded { --ink: var(--warn-fg); --tint: var(--warn-bg); --line: var(--warn-line); --bar: var(--warn-bar); }
.s-down { --ink: var(--down-fg); --tint: var(--down-bg); --line: var(--down-line); --bar: var(--down-bar); }
.s-unknown { --ink: var(--unk-fg); --tint: var(--unk-bg); --line: var(--unk-line); --bar: var(--unk-bar); }
section { margin-top: 1.75rem; }
section > h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
section > h2 .hint { font-weight: 400; color: var(--muted); font-size: .875rem; margin-left: .5rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 17rem), 1fr)); gap: 1rem; }
.grid.wide { grid-template-columns: repeat(auto-fill, minmax(min(100%, 27rem), 1fr)); }
.card {
  background: var(--card); border: 1px solid var(--border); border-top: 4px solid var(--line);
  border-radius: 10px; padding: 1rem 1.1rem 1.1rem; box-shadow: var(--shadow); min-width: 0;
}
.card-head { display: flex; justify-content: space-between; align-items: flex-start; gap: .75rem; }
.card h3 { margin: 0; font-size: 1.05rem; overflow-wrap: anywhere; }
.sub { margin: .1rem 0 0; color: var(--muted); font-size: .85rem; overflow-wrap: anywhere; }
.badge {
  display: inline-flex; align-items: center; gap: .35rem; flex: none; white-space: nowrap;
  padding: .2rem .6rem .2rem .45rem; border-radius: 999px; font-weight: 650; font-size: .85rem;
  color: var(--ink); background: var(--tint); border: 1px solid var(--line);
}
.badge .icon { width: 1rem; height: 1rem; }
.since { margin: .5rem 0 0; font-size: .875rem; color: var(--muted); }
.since strong { color: var(--text); font-weight: 600; }
.route { margin: .75rem 0 0; padding: .6rem .75rem; border-radius: 8px; background: var(--tint); color: var(--ink); font-size: .95rem; }
.route strong { font-weight: 700; }
.reason { margin: .5rem 0 0; font-size: .875rem; color: var(--muted); }
.chain { margin: .7rem 0 0; padding: 0; list-style: none; display: grid; gap: .3rem; font-size: .85rem; }
.chain li { display: flex; align-items: center; gap: .4rem; padding: .2rem .5rem; border-radius: 6px; border: 1px solid var(--border); color: var(--ink); min-width: 0; }
.chain li .icon { width: .95rem; height: .95rem; flex: none; }
.chain li.in-use { border-color: var(--line); background: var(--tint); font-weight: 650; }
.chain .pos { color: var(--muted); font-weight: 400; flex: none; }
.chain .dep { overflow-wrap: anywhere; }
.reasons { margin: .6rem 0 0; padding-left: 1.1rem; font-size: .9rem; }
.reasons li { margin: .1rem 0; overflow-wrap: anywhere; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: .85rem 0 0; font-size: .9rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.canaries { width: 100%; margin: .75rem 0 0; border-collapse: collapse; font-size: .85rem; }
.canaries caption { text-align: left; color: var(--muted); padding-bottom: .2rem; }
.canaries th, .canaries td { text-align: left; padding: .15rem .5rem .15rem 0; font-weight: normal; overflow-wrap: anywhere; }
.requires { margin: .4rem 0 0; font-size: .85rem; color: var(--muted); }
.fail-text { color: var(--down-fg); font-weight: 600; }
.fail-text a { color: inherit; }
.warn-text { color: var(--warn-fg); font-weight: 600; }
.ok-text { color: var(--ok-fg); font-weight: 600; }
.muted { color: var(--muted); }
meter { display: block; width: 100%; max-width: 16rem; height: .6rem; margin-top: .3rem; }
.bar-wrap { margin-top: .9rem; }
.bar-label { font-size: .8rem; color: var(--muted); margin: 0 0 .3rem; }
.bar { display: flex; gap: 2px; height: 1.6rem; align-items: flex-end; }
.bar span { flex: 1 1 0; min-width: 2px; border-radius: 2px; height: 100%; background: var(--ok-bar); }
.bar .fail { background: repeating-linear-gradient(135deg, var(--down-bar) 0 3px, var(--card) 3px 4.5px); box-shadow: inset 0 0 0 1px var(--down-bar); }
.bar .slow { background: var(--warn-bar); height: 75%; }
.bar .paused, .bar .auth { background: var(--unk-bar); height: 45%; }
.bar .none { background: var(--border); height: 3px; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem .9rem; margin: -.35rem 0 .75rem; padding: 0; list-style: none; font-size: .75rem; color: var(--muted); }
.legend i { display: inline-block; width: .6rem; height: .8rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
.legend .k-ok { background: var(--ok-bar); }
.legend .k-fail { background: repeating-linear-gradient(135deg, var(--down-bar) 0 2px, var(--card) 2px 3px); box-shadow: inset 0 0 0 1px var(--down-bar); }
.legend .k-slow { background: var(--warn-bar); }
.legend .k-paused { background: var(--unk-bar); height: .45rem; }
.note { margin: .75rem 0 0; padding: .5rem .7rem; border-radius: 8px; font-size: .85rem; background: var(--unk-bg); color: var(--unk-fg); border: 1px solid var(--border); }
footer { margin-top: 2.5rem; padding-top: 1rem; border-top: 1px solid var(--border); font-size: .85rem; color: var(--muted); display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; justify-content: space-between; }
footer nav { display: flex; flex-wrap: wrap; gap: .5rem 1rem; }
.empty { color: var(--muted); font-style: italic; }
@media (max-width: 40rem) {
  .wrap { padding: 1rem .75rem 2rem; }
  .banner { padding: .9rem 1rem; gap: .75rem; }
  .banner h2 { font-size: 1.1rem; }
  .banner > .icon { width: 1.6rem; height: 1.6rem; }
  .facts { gap: .3rem .75rem; }
}
@media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
@media print { body { background: #fff; } .card { box-shadow: none; break-inside: avoid; } }
`;
