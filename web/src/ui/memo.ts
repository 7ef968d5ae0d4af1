// memo() without preact/compat (which would add its React shims to the first load): a component that re-renders
// only when `same` says its props changed. Long lists (the message log) depend on it: a new message renders once,
// the others are skipped.
import { Component, h, type ComponentType, type FunctionComponent } from "preact";

export function memo<P extends object>(
  inner: FunctionComponent<P>,
  same: (prev: P, next: P) => boolean,
): ComponentType<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      return !same(this.props, next);
    }

    override render(props: P) {
      return h(inner, props);
    }
  }
  return Memo;
}

/** Shallow equality of two props objects (every own key compared with ===). */
export function shallowEqual<P extends object>(a: P, b: P): boolean {
  const ka = Object.keys(a) as (keyof P)[];
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
