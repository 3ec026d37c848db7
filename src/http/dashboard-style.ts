/** The dashboard's styles: a card grid that folds to one column on a phone. */
export const DASHBOARD_STYLE = `
:root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --text: #1c2330; --muted: #5b6576;
  --closed: #1f8a4c; --open: #c62828; --half-open: #b26a00; --isolated: #6a3fb5; --disabled: #5f6b7a; --none: #5f6b7a; }
@media (prefers-color-scheme: dark) { :root { --bg: #12161c; --card: #1b2129; --text: #e6e9ee; --muted: #9aa4b2; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--text); }
.top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; padding: .75rem 1rem; }
.top h1 { font-size: 1.25rem; margin: 0; }
.connection[data-live="true"] { color: var(--closed); }
.connection[data-live="false"] { color: var(--half-open); }
.updated { color: var(--muted); margin-left: auto; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 320px; gap: 1rem; padding: 0 1rem 1rem; }
@media (max-width: 800px) { main { grid-template-columns: minmax(0, 1fr); } }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: .75rem; }
.card { background: var(--card); border-radius: 8px; padding: .75rem; border-left: 6px solid var(--none); box-shadow: 0 1px 2px rgba(0,0,0,.12); min-width: 0; }
.card[data-state="closed"] { border-left-color: var(--closed); }
.card[data-state="open"] { border-left-color: var(--open); }
.card[data-state="half-open"] { border-left-color: var(--half-open); }
.card[data-state="isolated"] { border-left-color: var(--isolated); }
.card[data-state="disabled"] { border-left-color: var(--disabled); }
.card-head { display: flex; gap: .5rem; align-items: center; justify-content: space-between; }
.card-name { font-size: 1rem; margin: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { display: inline-block; padding: .1rem .5rem; border-radius: 999px; color: #fff; font-size: .8rem; font-weight: 600; background: var(--none); white-space: nowrap; }
.badge[data-state="closed"] { background: var(--closed); }
.badge[data-state="open"] { background: var(--open); }
.badge[data-state="half-open"] { background: var(--half-open); }
.badge[data-state="isolated"] { background: var(--isolated); }
.badge[data-state="disabled"] { background: var(--disabled); }
.stats { display: grid; grid-template-columns: repeat(4, 1fr); gap: .25rem; margin: .5rem 0; }
.stat { display: flex; flex-direction: column; }
.stat-label { color: var(--muted); font-size: .75rem; }
.stat-value { font-variant-numeric: tabular-nums; font-weight: 600; }
.spark { width: 100%; height: 40px; display: block; }
.spark { color: #2f6fde; }
.spark polyline { fill: none; stroke: currentColor; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.spark-area { fill: currentColor; opacity: .15; }
.actions { display: flex; flex-wrap: wrap; gap: .25rem; margin-top: .5rem; }
.action, .token-form button { font: inherit; padding: .2rem .5rem; border-radius: 6px; border: 1px solid var(--muted); background: transparent; color: inherit; cursor: pointer; min-height: 2rem; }
.action { font-size: .8rem; }
.result { min-height: 1.2em; margin: .35rem 0 0; font-size: .8rem; color: var(--muted); }
.result[data-outcome="ok"] { color: var(--closed); }
.result[data-outcome="error"] { color: var(--open); }
.token-form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 0 1rem 1rem; padding: .75rem; background: var(--card); border-radius: 8px; }
.token-form[hidden] { display: none; }
.token-form input { font: inherit; padding: .3rem; min-width: 12rem; }
.side h2 { font-size: 1rem; margin: 0 0 .5rem; }
.timeline { list-style: none; margin: 0; padding: 0; max-height: 70vh; overflow: auto; }
.transition { display: flex; flex-wrap: wrap; gap: .35rem; align-items: center; padding: .35rem 0; border-bottom: 1px solid rgba(127,127,127,.2); }
.transition .op { font-weight: 600; overflow-wrap: anywhere; }
.when { color: var(--muted); font-variant-numeric: tabular-nums; }
.transition .badge { font-size: .7rem; padding: 0 .4rem; }
`;
