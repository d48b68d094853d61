import { blackboxCpu } from './cpu.js';
import { startBlackbox } from './lib/blackbox.js';
import { clockTicks } from './lib/proc.js';
import { startVendorProcess } from './lib/vendor.js';
import { processCpu } from './process.js';

const vendor = await startVendorProcess();
const bb = await startBlackbox();
const ticks = clockTicks();
const keepAlive = process.argv[2] !== 'close';
try {
  const { row, beside } = await processCpu(
    vendor.url,
    { dependencies: 100, seconds: 15, warmupSeconds: 6, keepAlive },
    ticks,
    () => blackboxCpu(bb, `${vendor.url}/health`, { rate: 100, seconds: 15, warmupSeconds: 0 }, ticks),
  );
  console.log(JSON.stringify({ bw: row.cpuMsPerProbe, bb: beside?.cpuMsPerProbe, ratio: row.cpuMsPerProbe / (beside?.cpuMsPerProbe ?? 1), rss: row.rssMiB }));
} finally {
  await bb.stop();
  await vendor.stop();
}
