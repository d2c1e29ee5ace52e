/**
 * Child process of the discovery test (run inside a private network namespace, where multicast works on
 * loopback): the app's service lists devices with mDNS discovery on and prints the rows as JSON.
 * argv: <registry file> <mDNS interface IPv4>
 */
import { ReviewService } from '../../src-main/services/review-service.js';
import { MODELS_DIR } from './helpers.js';

const [registryPath, iface] = process.argv.slice(2);
const service = new ReviewService({ modelsDir: MODELS_DIR, devices: { registryPath, mdns: { interface: iface } } });
const rows = await service.listDevices({ discover: true, discoverMs: 3000 });
process.stdout.write(`${JSON.stringify(rows)}\n`);
await service.dispose();
