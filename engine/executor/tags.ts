/**
 * Tag selection exactly as Ansible's Taggable.evaluate_tags: `--tags` (only) and
 * `--skip-tags`, with the special tags `always`, `never`, `all`, `tagged`, `untagged`.
 * A task without tags counts as tagged `untagged`.
 */

/** Effective tag selection of the run. Empty `only` means `all`. */
export interface TagFilter {
  only: string[];
  skip: string[];
}

/** True when a task/play with `tags` runs under `filter`. Pure. */
export function shouldRunTags(tags: readonly string[], filter: TagFilter): boolean {
  const only = filter.only.length ? filter.only : ['all'];
  const t = new Set(tags.length ? tags : ['untagged']);
  const untagged = t.size === 1 && t.has('untagged');
  const meets = (list: readonly string[]): boolean => list.some((x) => t.has(x));
  let run: boolean;
  if (t.has('always')) run = true;
  else if (only.includes('all') && !t.has('never')) run = true;
  else if (meets(only)) run = true;
  else if (only.includes('tagged') && !untagged && !t.has('never')) run = true;
  else run = false;
  if (run && filter.skip.length) {
    const skip = filter.skip;
    if (skip.includes('all')) {
      if (!t.has('always') || skip.includes('always')) run = false;
    } else if (meets(skip)) run = false;
    else if (skip.includes('tagged') && !untagged) run = false;
  }
  return run;
}
