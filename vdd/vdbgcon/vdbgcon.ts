/**
 * VDBGCON: the debug console port E9h that Bochs and QEMU (`-debugcon`) give guests — a byte written there
 * is a character of a log line. Test guests and firmware report through it; the host sees each completed
 * line as a `debugcon` event `{ line }` and in the VM's log. Reading the port returns E9h, which is how
 * guests detect it. Lines are capped at 1024 characters (a guest printing without newlines is cut, not
 * kept forever). Under a foreign BIOS (docs/firmware.md) port 402h is a second console, QEMU's ISA
 * debugcon, where SeaBIOS writes its log once it reads E9h back from it: its lines are `debugcon` events
 * `{ line, port: 0x402 }` and log lines starting "bios: ".
 */
import type { Vdh, VddModule } from '../../main/vmm/vdh.js';

const PORT = 0xe9;
/** QEMU's debugcon port, where a BIOS built for QEMU (SeaBIOS) logs. */
const QEMU_PORT = 0x402;
const MAX_LINE = 1024;

/** One console port: bytes become lines, posted as `debugcon` events and logged with `prefix`. */
function listen(vdh: Vdh, port: number, prefix: string): void {
  let line = '';
  const flush = (): void => {
    vdh.post('debugcon', port === PORT ? { line } : { line, port });
    vdh.log(`${prefix}: ${line}`);
    line = '';
  };
  vdh.installIoHook(port, 1, {
    byteIn: () => PORT,
    byteOut: (_port, value) => {
      if (value === 0x0a) return flush();
      if (value === 0x0d) return;
      line += String.fromCharCode(value);
      if (line.length >= MAX_LINE) flush();
    },
  });
}

const vdbgcon: VddModule = {
  name: 'VDBGCON',
  init(vdh: Vdh): void {
    listen(vdh, PORT, 'debugcon');
    if (vdh.firmware.kind === 'foreign') listen(vdh, QEMU_PORT, 'bios');
  },
};
export default vdbgcon;
