// Preload for a Bellwether process (NODE_OPTIONS="--require ./bench/loop-delay-preload.cjs"):
// prints the longest event-loop delay and the p99 of every 5 s window to stderr.
const { monitorEventLoopDelay } = require('node:perf_hooks');

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
setInterval(() => {
  const ms = (ns) => (ns / 1e6).toFixed(1);
  process.stderr.write(`event loop: max ${ms(delay.max)} ms, p99 ${ms(delay.percentile(99))} ms\n`);
  delay.reset();
}, 5000).unref();
