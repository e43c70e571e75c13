/**
 * The WebSocket bridge's message layer: turns one untrusted text message into a call on the contract
 * (preload/api.ts) and its answer. Every message is checked for shape before anything is called, and every
 * failure becomes an error response the page can show — never an exception that reaches the server.
 */
import type { ApiArity, ApiErrorCode, ApiResponse, MvmApi, MvmMethod } from '../../preload/api.js';

/** Each method with the number of arguments it takes; `satisfies` keeps it in step with the contract. */
/** Each method's argument count: what both transports check before a call (exported for main/app). */
export const ARITY = {
  info: 0,
  startSession: 1,
  listSessions: 0,
  stopSession: 1,
  openShieldPort: 1,
  openSessionWindow: 1,
  listFolders: 0,
  createFolder: 2,
  renameFolder: 2,
  deleteFolder: 1,
  listPrograms: 0,
  createProgram: 1,
  updateProgram: 2,
  deleteProgram: 1,
  settingDefs: 0,
  startProgram: 1,
  changeSessionSetting: 3,
  listRuns: 1,
  importDosbox: 2,
} as const satisfies ApiArity;

const REQUEST_KEYS = new Set(['id', 'method', 'args']);

function error(id: number | null, code: ApiErrorCode, message: string): ApiResponse {
  return { id, error: { code, message } };
}

function isMethod(name: string): name is MvmMethod {
  return Object.hasOwn(ARITY, name); // own keys only: "__proto__" or "toString" are not methods
}

/** Answers one request message. Never throws. */
export async function dispatch(api: MvmApi, text: string): Promise<ApiResponse> {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return error(null, 'bad-json', 'message is not valid JSON');
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    return error(null, 'bad-request', 'a request is a JSON object {"id", "method", "args"}');
  }
  const req = msg as Record<string, unknown>;
  const id = Number.isSafeInteger(req.id) && (req.id as number) >= 0 ? (req.id as number) : null;
  if (id === null) return error(null, 'bad-request', '"id" must be a non-negative integer');
  const extra = Object.keys(req).filter((k) => !REQUEST_KEYS.has(k));
  if (extra.length > 0) return error(id, 'bad-request', `unexpected field(s): ${extra.slice(0, 5).join(', ')}`);
  if (typeof req.method !== 'string') return error(id, 'bad-request', '"method" must be a string');
  if (!isMethod(req.method)) {
    return error(id, 'unknown-method', `unknown method "${req.method.slice(0, 64)}"`);
  }
  if (!Array.isArray(req.args)) return error(id, 'bad-request', '"args" must be an array');
  const method = req.method;
  if (req.args.length !== ARITY[method]) {
    return error(id, 'bad-request', `${method}() takes ${ARITY[method]} argument(s), got ${req.args.length}`);
  }
  try {
    // The arity is checked here; each method checks its own arguments' shape (main/web/sessions.ts).
    const call = api[method] as (...args: unknown[]) => Promise<unknown>;
    return { id, result: await call.apply(api, req.args) };
  } catch (e) {
    // Only the message crosses: stacks and host paths stay on the host.
    return error(id, 'internal', e instanceof Error ? e.message : 'internal error');
  }
}
