import { expect } from 'chai';
import { createHooks, type Hooks } from '../../../core/hooks/index.js';

// Ported from WordPress's tests/phpunit/tests/hooks/addFilter.php and doAction.php, plus the
// rules of WordPress 7.1 listed in PRODUCT.md ("WordPress semantics"), each observed by
// running WordPress's own class-wp-hook.php.
describe('core/hooks while a hook is running', () => {
  let hooks: Hooks;
  let out: string;
  beforeEach(() => {
    hooks = createHooks();
    out = '';
  });

  const returnEmpty = (): string => '';
  const append = (s: string) => (v: string): string => v + s;

  describe('remove and re-add at the running priority (addFilter.php)', () => {
    it("a filter that removes and re-adds itself does not skip the next priority: '24'", () => {
      const add2 = (v: string): string => {
        hooks.remove_filter('r', add2, 11);
        hooks.add_filter('r', add2, 11, 1);
        return v + '2';
      };
      hooks.add_filter('r', returnEmpty, 10, 0);
      hooks.add_filter('r', add2, 11, 1);
      hooks.add_filter('r', append('4'), 12, 1);
      expect(hooks.apply_filters('r', 'x')).to.equal('24');
    });

    it("the same as the last filter: '12'", () => {
      const add2 = (v: string): string => {
        hooks.remove_filter('r', add2, 11);
        hooks.add_filter('r', add2, 11, 1);
        return v + '2';
      };
      hooks.add_filter('r', returnEmpty, 10, 0);
      hooks.add_filter('r', append('1'), 11, 1);
      hooks.add_filter('r', add2, 12, 1);
      expect(hooks.apply_filters('r', 'x')).to.equal('12');
    });

    it("remove, recurse and re-add: '1-134-234'", () => {
      const recurse2 = (v: string): string => {
        hooks.remove_filter('r', recurse2, 11);
        v += '-' + String(hooks.apply_filters('r', '')) + '-';
        hooks.add_filter('r', recurse2, 11, 1);
        return v + '2';
      };
      hooks.add_filter('r', returnEmpty, 10, 0);
      hooks.add_filter('r', append('1'), 11, 1);
      hooks.add_filter('r', recurse2, 11, 1);
      hooks.add_filter('r', append('3'), 11, 1);
      hooks.add_filter('r', append('4'), 12, 1);
      expect(hooks.apply_filters('r', '')).to.equal('1-134-234');
    });

    it("actions: remove and re-add '24', last '12', recurse '1-134-234'", () => {
      const act = (s: string) => (): void => void (out += s);
      const add2 = (): void => {
        hooks.remove_action('a', add2, 11);
        hooks.add_action('a', add2, 11, 0);
        out += '2';
      };
      hooks.add_action('a', returnEmpty, 10, 0);
      hooks.add_action('a', add2, 11, 0);
      hooks.add_action('a', act('4'), 12, 0);
      hooks.do_action('a');
      expect(out).to.equal('24');

      out = '';
      const hooks2 = createHooks();
      const recurse2 = (): void => {
        hooks2.remove_action('b', recurse2, 11);
        out += '-';
        hooks2.do_action('b');
        out += '-';
        hooks2.add_action('b', recurse2, 11, 0);
        out += '2';
      };
      hooks2.add_action('b', returnEmpty, 10, 0);
      hooks2.add_action('b', act('1'), 11, 0);
      hooks2.add_action('b', recurse2, 11, 0);
      hooks2.add_action('b', act('3'), 11, 0);
      hooks2.add_action('b', act('4'), 12, 0);
      hooks2.do_action('b');
      expect(out).to.equal('1-134-234');
    });
  });

  it("do_action does not chain values, even after a nested run: 'a1-b1b3-a2a3'", () => {
    const f1 = (v: string): string => {
      out += v + '1';
      return 'x1';
    };
    const f2 = (v: string): string => {
      hooks.remove_filter('d', f2, 10);
      out += '-';
      hooks.do_action('d', 'b');
      out += '-';
      hooks.add_filter('d', f2, 10, 1);
      out += v + '2';
      return 'x2';
    };
    const f3 = (v: string): string => {
      out += v + '3';
      return 'x3';
    };
    hooks.add_filter('d', f1, 10, 1);
    hooks.add_filter('d', f2, 10, 1);
    hooks.add_filter('d', f3, 11, 1);
    hooks.do_action('d', 'a');
    expect(out).to.equal('a1-b1b3-a2a3');
  });

  it('apply_filters on a hook that is doing an action does not chain (doing_action flag)', () => {
    let nested: unknown = null;
    let inNested = false;
    hooks.add_filter('h', (v: string) => {
      if (!inNested) {
        inNested = true;
        nested = hooks.apply_filters('h', 'v');
      }
      return v + 'a';
    });
    hooks.add_filter('h', (v: string) => v + 'b', 20);
    hooks.do_action('h', 'x');
    expect(nested, 'every callback saw the original value').to.equal('vb');
    expect(hooks.apply_filters('h', 'v'), 'chains again once the action is over').to.equal('vab');
  });

  describe('frozen buckets', () => {
    it('a callback removed during its priority’s pass still runs, even by remove_all_actions', () => {
      const seen: string[] = [];
      hooks.add_action('f', () => {
        seen.push('first');
        hooks.remove_all_actions('f');
      });
      hooks.add_action('f', () => void seen.push('second'));
      hooks.add_action('f', () => void seen.push('later'), 20);
      hooks.do_action('f');
      expect(seen).to.deep.equal(['first', 'second']);
      expect(hooks.has_action('f')).to.equal(false);
    });

    it('a callback added at the running priority does not run in this pass', () => {
      const seen: string[] = [];
      const late = (): void => void seen.push('late');
      hooks.add_action('f', () => {
        seen.push('first');
        hooks.add_action('f', late);
      });
      hooks.do_action('f');
      expect(seen).to.deep.equal(['first']);
      hooks.do_action('f');
      expect(seen).to.deep.equal(['first', 'first', 'late']);
    });

    it('accepted_args is frozen with the bucket: a re-add with new accepted_args applies next pass', () => {
      const calls: unknown[][] = [];
      const target = (...args: unknown[]): void => void calls.push(args);
      hooks.add_action('f', () => void hooks.add_action('f', target, 10, 2));
      hooks.add_action('f', target, 10, 1);
      hooks.do_action('f', 'a', 'b');
      hooks.do_action('f', 'a', 'b');
      expect(calls).to.deep.equal([['a'], ['a', 'b']]);
    });
  });

  describe('re-aimed priorities', () => {
    it('a priority added above the running one runs in this pass; one below does not', () => {
      const seen: number[] = [];
      hooks.add_action('p', () => {
        seen.push(10);
        hooks.add_action('p', () => void seen.push(15), 15);
        hooks.add_action('p', () => void seen.push(5), 5);
      });
      hooks.add_action('p', () => void seen.push(20), 20);
      hooks.do_action('p');
      expect(seen).to.deep.equal([10, 15, 20]);
    });

    it('bug-compatible with WordPress 7.1 (#64653): emptying the running priority skips the next one when a lower one exists', () => {
      const seen: number[] = [];
      const self = (): void => {
        seen.push(20);
        hooks.remove_action('s', self, 20);
      };
      hooks.add_action('s', () => void seen.push(10), 10);
      hooks.add_action('s', self, 20);
      hooks.add_action('s', () => void seen.push(30), 30);
      hooks.add_action('s', () => void seen.push(40), 40);
      hooks.do_action('s');
      expect(seen).to.deep.equal([10, 20, 40]);
    });

    it('emptying the running priority skips nothing when it is the lowest', () => {
      const seen: number[] = [];
      const self = (): void => {
        seen.push(20);
        hooks.remove_action('s', self, 20);
      };
      hooks.add_action('s', self, 20);
      hooks.add_action('s', () => void seen.push(30), 30);
      hooks.do_action('s');
      expect(seen).to.deep.equal([20, 30]);
    });

    it('an emptied hook is detached: a callback added during its run lands in a new hook', () => {
      const seen: string[] = [];
      const later = (): void => void seen.push('later');
      const only = (): void => {
        seen.push('only');
        hooks.remove_action('e', only);
        hooks.add_action('e', later, 20);
      };
      hooks.add_action('e', only);
      hooks.do_action('e');
      expect(seen).to.deep.equal(['only']);
      hooks.do_action('e');
      expect(seen).to.deep.equal(['only', 'later']);
    });

    it('the same situation without detaching runs the new callback in this pass', () => {
      const seen: string[] = [];
      const only = (): void => {
        seen.push('only');
        hooks.remove_action('e', only);
        hooks.add_action('e', () => void seen.push('later'), 20);
      };
      hooks.add_action('e', only);
      hooks.add_action('e', () => void seen.push('stays'));
      hooks.do_action('e');
      expect(seen).to.deep.equal(['only', 'stays', 'later']);
    });

    it('a pass that ran past its end stays there: a priority added then is not run', () => {
      const seen: string[] = [];
      hooks.add_action('e', () => void seen.push('stays'), 5);
      const only = (): void => {
        seen.push('only');
        hooks.remove_action('e', only);
        hooks.add_action('e', () => void seen.push('later'), 20);
      };
      hooks.add_action('e', only);
      hooks.do_action('e');
      expect(seen).to.deep.equal(['stays', 'only']);
    });

    it('each nesting level keeps its own pointer', () => {
      const seen: string[] = [];
      let depth = 0;
      hooks.add_action('n', () => {
        seen.push(`10@${depth}`);
        if (depth === 0) {
          depth++;
          hooks.do_action('n');
          depth--;
        }
      });
      hooks.add_action('n', () => void seen.push(`20@${depth}`), 20);
      hooks.do_action('n');
      expect(seen).to.deep.equal(['10@0', '10@1', '20@1', '20@0']);
    });
  });

  describe('the all hook', () => {
    it('runs before the hook’s own callbacks with current_filter already set', () => {
      const seen: unknown[] = [];
      hooks.add_action('all', (name: string) => void seen.push(['all', name, hooks.current_filter()]));
      hooks.add_action('x', () => void seen.push(['x']));
      hooks.do_action('x');
      expect(seen).to.deep.equal([['all', 'x', 'x'], ['x']]);
      expect(hooks.current_filter()).to.equal(false);
    });

    it('gets (name, ...args) from do_action and apply_filters, (name, args) from _ref_array; accepted_args ignored', () => {
      const seen: unknown[][] = [];
      hooks.add_action('all', (...args: unknown[]) => void seen.push(args), 10, 0);
      hooks.do_action('a');
      hooks.do_action('a', 1, 2);
      hooks.apply_filters('f', 'v', 3);
      hooks.do_action_ref_array('r', [4, 5]);
      hooks.apply_filters_ref_array('rf', ['w', 6]);
      expect(seen).to.deep.equal([['a'], ['a', 1, 2], ['f', 'v', 3], ['r', [4, 5]], ['rf', ['w', 6]]]);
    });

    it('re-adding at the running priority never steps back for `all`', () => {
      const seen: number[] = [];
      const readd = (): void => {
        seen.push(11);
        hooks.remove_action('all', readd, 11);
        hooks.add_action('all', readd, 11);
      };
      hooks.add_action('all', () => void seen.push(10), 10);
      hooks.add_action('all', readd, 11);
      hooks.add_action('all', () => void seen.push(12), 12);
      hooks.do_action('z');
      expect(seen, 'WordPress records no current priority for all, so 12 is skipped').to.deep.equal([10, 11]);
    });

    it('when `all` callbacks remove every `all` callback, the fired name stays on the stack', () => {
      const self = (): void => void hooks.remove_action('all', self);
      hooks.add_action('all', self);
      hooks.do_action('nothing-hooked');
      expect(hooks.current_filter()).to.equal('nothing-hooked');
      expect(hooks.doing_action('nothing-hooked')).to.equal(true);
    });
  });

  describe('arguments', () => {
    it('do_action_ref_array with an empty array passes no arguments', () => {
      const seen: unknown[][] = [];
      hooks.add_action('a', (...args: unknown[]) => void seen.push(args), 10, 5);
      hooks.do_action_ref_array('a', []);
      hooks.do_action('a');
      expect(seen).to.deep.equal([[], ['']]);
    });

    it('accepted_args 0 passes nothing', () => {
      const seen: unknown[][] = [];
      hooks.add_action('a', (...args: unknown[]) => void seen.push(args), 10, 0);
      hooks.do_action('a', 1, 2);
      expect(seen).to.deep.equal([[]]);
    });

    it('re-adding the same callback at the same priority keeps one entry in its old slot', () => {
      const seen: unknown[] = [];
      const a = (...args: unknown[]): void => void seen.push(['a', ...args]);
      const b = (): void => void seen.push('b');
      hooks.add_action('h', a, 10, 1);
      hooks.add_action('h', b);
      hooks.add_action('h', a, 10, 2);
      hooks.do_action('h', 1, 2);
      expect(seen).to.deep.equal([['a', 1, 2], 'b']);
    });

    it('the same callback at two priorities runs twice; remove_* needs the matching priority', () => {
      let n = 0;
      const cb = (): void => void n++;
      hooks.add_action('h', cb, 5);
      hooks.add_action('h', cb, 15);
      hooks.do_action('h');
      expect(n).to.equal(2);
      expect(hooks.remove_action('h', cb)).to.equal(false);
      expect(hooks.has_action('h', cb)).to.equal(5);
      expect(hooks.remove_action('h', cb, 5)).to.equal(true);
      expect(hooks.has_action('h', cb)).to.equal(15);
    });

    it('has_filter reports priority 0 as a number, and answers a boolean when given a priority', () => {
      const cb = (): void => undefined;
      hooks.add_filter('h', cb, 0);
      expect(hooks.has_filter('h', cb)).to.equal(0);
      expect(hooks.has_filter('h', cb, 0)).to.equal(true);
      expect(hooks.has_filter('h', cb, 10)).to.equal(false);
    });

    it('a null priority means 0 (WordPress 6.9)', () => {
      const cb = (): void => undefined;
      hooks.add_filter('h', cb, null);
      expect(hooks.has_filter('h', cb)).to.equal(0);
      expect(hooks.remove_filter('h', cb, null)).to.equal(true);
    });
  });
});
