// A library writer for the kill test (test/unit/library.test.ts): opens the library given on the command
// line and creates program objects with many settings and two drives, one transaction each, as fast as it
// can until it is killed. It says "writing" on stdout once it has started. Runs the built library (out/).
import { Library } from '../../out/main/library/library.js';

const [file, perObject] = process.argv.slice(2);
const lib = Library.open(file);
const settings = {};
for (let i = 0; i < Number(perObject); i++) settings[`SETTING_${i}`] = i % 3 === 0 ? 'x'.repeat(200) : i;
let n = 0;
process.stdout.write('writing\n');
for (;;) {
  lib.createProgram({
    name: `Program ${n++}`,
    drives: [
      { letter: 'C', hostPath: '/tmp/c', readOnly: false },
      { letter: 'D', hostPath: '/tmp/d', readOnly: true },
    ],
    settings,
  });
}
