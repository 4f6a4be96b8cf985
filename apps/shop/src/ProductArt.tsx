/**
 * A drawing of each product: the store needs pictures, and the demo ships no image files and
 * loads nothing from outside. Decorative (the product's name is next to it).
 */
const DRAWINGS: Record<string, React.JSX.Element> = {
  tea: (
    <>
      <rect x="34" y="34" width="52" height="62" rx="6" />
      <rect x="30" y="26" width="60" height="12" rx="4" />
      <path d="M60 52c-12 6-14 20-4 30 12-4 16-18 4-30z" />
      <path d="M56 82c2-8 4-14 4-30" />
    </>
  ),
  mug: (
    <>
      <path d="M32 44h48v34a14 14 0 0 1-14 14H46a14 14 0 0 1-14-14z" />
      <path d="M80 52h6a10 10 0 0 1 0 20h-6" />
      <path d="M46 34c-4-5 4-9 0-14M58 34c-4-5 4-9 0-14M70 34c-4-5 4-9 0-14" />
    </>
  ),
  kettle: (
    <>
      <path d="M38 52h44l6 36a6 6 0 0 1-6 7H38a6 6 0 0 1-6-7z" />
      <path d="M46 52c0-8 6-14 14-14s14 6 14 14" />
      <circle cx="60" cy="34" r="4" />
      <path d="M34 66c-8-2-14-10-16-22" />
      <path d="M82 58c8 0 12 8 12 16s-4 14-10 16" />
    </>
  ),
};

export function ProductArt({ id, className }: { id: string; className: string }) {
  return (
    <div className={className} aria-hidden="true">
      <svg viewBox="0 0 120 120" focusable="false">
        <g fill="none" stroke="currentColor" strokeWidth="4" strokeLinecap="round" strokeLinejoin="round">
          {DRAWINGS[id] ?? <circle cx="60" cy="60" r="28" />}
        </g>
      </svg>
    </div>
  );
}
