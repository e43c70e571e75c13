/**
 * Code page 437, the PC's character set, as Unicode: for VDDs that show guest text (VVIDEO) and for the
 * host side that prints it (`mvm run`, `mvm boot`). Part of the VDH family of helpers a VDD may import.
 */

/** Code page 437 as Unicode, 00h-FFh (00h shown as a space, FFh the no-break space). */
export const CP437: readonly string[] = Array.from(
  ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼' +
    ' !"#$%&\'()*+,-./0123456789:;<=>?' +
    '@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_' +
    '`abcdefghijklmnopqrstuvwxyz{|}~⌂' +
    'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒ' +
    'áíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
    '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
    'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
);

/** Guest text (CP437 bytes) as a Unicode string; control bytes are kept as themselves when `controls` is set
 * (a terminal's newline, carriage return, tab, bell, backspace), else shown as their glyphs. */
export function decodeCp437(bytes: ArrayLike<number>, controls = true): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] & 0xff;
    s += controls && (b === 0x0a || b === 0x0d || b === 0x09 || b === 0x07 || b === 0x08) ? String.fromCharCode(b) : CP437[b];
  }
  return s;
}
