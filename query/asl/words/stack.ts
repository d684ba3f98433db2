// Standard vocabulary: stack manipulation, lists as programs, variables.
import { vigilError } from '../../../schemas/errors.ts';
import type { Value } from '../expr.ts';
import { type Word, type WordCall, macro, word } from '../interpreter.ts';

function underflow(call: WordCall, expected: string): never {
  throw vigilError('VIGIL_ERR_ASL_STACK_UNDERFLOW', call.word, call.position, expected, call.interpreter.stack.length);
}

const str = (text: string): Value => ({ type: 'string', text, position: -1 });

/** printf-style `%s`, `%d`, `%f`/`%.Nf` and `%%`, as Atlas's `:format` (Java Formatter) uses them. */
function format(pattern: string, args: readonly Value[], call: WordCall): string {
  let next = 0;
  return pattern.replace(/%(?:\.(\d+))?([sdf%])/g, (_, precision: string | undefined, conversion: string) => {
    if (conversion === '%') return '%';
    const arg = args[next++];
    if (arg === undefined) return call.fail(`the pattern needs more than ${args.length} argument(s)`);
    const text = arg.type === 'string' ? arg.text : call.fail(`argument ${next} is not a string`);
    if (conversion === 's') return text;
    const n = Number(text);
    if (Number.isNaN(n)) return call.fail(`argument ${next} (${JSON.stringify(text)}) is not a number`);
    if (conversion === 'd') return String(Math.trunc(n));
    return n.toFixed(precision === undefined ? 6 : Number(precision));
  });
}

export const stackWords: readonly Word[] = [
  word('call', ['list'] as const, '?', ([items], call) => call.interpreter.execute(items)),
  word('clear', [] as const, '<empty>', (_, call) => {
    call.interpreter.stack = [];
  }),
  word('depth', [] as const, 'N', (_, call) => str(String(call.interpreter.stack.length))),
  word('drop', ['any'] as const, '', () => undefined),
  word('dup', ['any'] as const, 'a a', ([a]) => [a, a]),
  word('swap', ['any', 'any'] as const, 'b a', ([a, b]) => [b, a]),
  word('over', ['any', 'any'] as const, 'a b a', ([a, b]) => [a, b, a]),
  word('each', ['list', 'list'] as const, 'f(items[0]) ... f(items[N])', ([items, f], call) => {
    for (const item of items) {
      call.interpreter.stack.push(item);
      call.interpreter.execute(f);
    }
  }),
  word('map', ['list', 'list'] as const, 'List', ([items, f], call) => {
    const results: Value[] = [];
    for (const item of items) {
      call.interpreter.stack.push(item);
      call.interpreter.execute(f);
      const result = call.interpreter.stack.pop();
      if (result === undefined) underflow(call, 'the function to leave a value on the stack');
      results.push(result);
    }
    return { type: 'list', items: results };
  }),
  word('format', ['string', 'list'] as const, 'String', ([pattern, args], call) => str(format(pattern, args, call))),
  word('freeze', [] as const, '<empty>', (_, call) => {
    const interpreter = call.interpreter;
    interpreter.frozen.push(...interpreter.stack);
    interpreter.stack = [];
  }),
  word('get', ['string'] as const, 'vars[k]', ([name], call) => {
    const value = call.interpreter.variables.get(name);
    return value ?? call.fail(`no variable ${JSON.stringify(name)} was set with :set`);
  }),
  word('set', ['string', 'any'] as const, '', ([name, value], call) => {
    call.interpreter.variables.set(name, value);
  }),
  word('pick', ['int'] as const, 'aN ... a0 aN', ([n], call) => {
    const stack = call.interpreter.stack;
    if (n < 0 || n >= stack.length) underflow(call, `${n + 1} item(s) below the index`);
    return stack[stack.length - 1 - n]!;
  }),
  word('roll', ['int'] as const, 'aN-1 ... a0 aN', ([n], call) => {
    const stack = call.interpreter.stack;
    if (n < 0 || n >= stack.length) underflow(call, `${n + 1} item(s) below the index`);
    return stack.splice(stack.length - 1 - n, 1);
  }),
  word('ndrop', ['int'] as const, 'aN', ([n], call) => {
    const stack = call.interpreter.stack;
    stack.length -= Math.max(0, Math.min(n, stack.length));
  }),
  word('nlist', ['int'] as const, 'List', ([n], call) => {
    const stack = call.interpreter.stack;
    return { type: 'list', items: stack.splice(Math.max(0, stack.length - Math.max(0, n))) };
  }),
  word('rot', ['any'] as const, '... b a', ([top], call) => {
    const stack = call.interpreter.stack;
    stack.push(top);
    return stack.shift();
  }),
  word('-rot', ['any'] as const, 'a ...', ([top], call) => {
    call.interpreter.stack.unshift(top);
  }),
  word('list', [] as const, 'List', (_, call) => {
    const items = call.interpreter.stack;
    call.interpreter.stack = [];
    return { type: 'list', items };
  }),
  macro('2over', ['any', 'any'], ':over,:over'),
  macro('nip', ['any', 'any'], ':swap,:drop'),
  macro('tuck', ['any', 'any'], ':swap,:over'),
  macro('fcall', ['string'], ':get,:call'),
  macro('sset', ['any', 'string'], ':swap,:set'),
];
