/**
 * VSPKR: the PC speaker, as the host hears it. The tone itself is the 8254's channel 2 gated through port
 * 61h, which VTIMER models and records as speaker events; VSPKR collects them (named request VTIMER,
 * command 2) and posts them to the host as `speaker` events `{ tick, seconds, frequencyHz }` (0 Hz: silent),
 * where the session window plays them. HW_NOSOUND (OS/2's setting) silences a session.
 *
 * It collects every 50 ms of guest time while a tone sounds and every 200 ms while the speaker is silent
 * (a tone's start is then heard up to 200 ms late but keeps its timing: events carry their tick).
 */
import type { Vdh, VddModule } from '../../main/vmm/vdh.js';

/** How often, in guest seconds, events are collected while a tone sounds, and while it is silent. */
const COLLECT_SOUNDING = 0.05;
const COLLECT_SILENT = 0.2;

interface SpeakerEvent {
  tick: number;
  frequencyHz: number;
}

class Vspkr {
  private sounding = false;
  private disarm: (() => void) | undefined;

  constructor(private readonly vdh: Vdh) {}

  install(): void {
    const v = this.vdh;
    v.registerProperty({ type: 'bool', name: 'HW_NOSOUND', help: 'Silence the PC speaker of this session.', default: false, live: true });
    const timer = v.openVdd('VTIMER');
    if (!timer) {
      v.log('VSPKR: no VTIMER loaded; the speaker stays silent');
      return;
    }
    const collect = (): void => {
      this.disarm = undefined;
      const events = (v.requestVdd(timer, 2) as SpeakerEvent[] | undefined) ?? [];
      for (const e of events) {
        this.sounding = e.frequencyHz > 0;
        if (!v.property('HW_NOSOUND')) v.post('speaker', { tick: e.tick, seconds: e.tick / v.ticksPerSecond, frequencyHz: e.frequencyHz });
      }
      schedule();
    };
    const schedule = (): void => {
      if (this.disarm) return;
      this.disarm = v.armTimer((this.sounding ? COLLECT_SOUNDING : COLLECT_SILENT) * v.ticksPerSecond, collect);
    };
    // The speaker starts only through port 61h or the PIT, both VTIMER's, which records the exact ticks.
    schedule();
    v.onUserHook('terminate', () => this.disarm?.());
  }
}

const vspkr: VddModule = {
  name: 'VSPKR',
  init(vdh: Vdh): void {
    new Vspkr(vdh).install();
  },
};
export default vspkr;
