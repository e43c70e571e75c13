/**
 * VDBGCON: the debug console port E9h that Bochs and QEMU (`-debugcon`) give guests — a byte written there
 * is a character of a log line. Test guests and firmware report through it; the host sees each completed
 * line as a `debugcon` event `{ line }` and in the VM's log. Reading the port returns E9h, which is how
 * guests detect it. Lines are capped at 1024 characters (a guest printing without newlines is cut, not
 * kept forever).
 */
import type { Vdh, VddModule } from '../../main/vmm/vdh.js';

const PORT = 0xe9;
const MAX_LINE = 1024;

const vdbgcon: VddModule = {
  name: 'VDBGCON',
  init(vdh: Vdh): void {
    let line = '';
    const flush = (): void => {
      vdh.post('debugcon', { line });
      vdh.log(`debugcon: ${line}`);
      line = '';
    };
    vdh.installIoHook(PORT, 1, {
      byteIn: () => PORT,
      byteOut: (_port, value) => {
        if (value === 0x0a) return flush();
        if (value === 0x0d) return;
        line += String.fromCharCode(value);
        if (line.length >= MAX_LINE) flush();
      },
    });
  },
};
export default vdbgcon;
