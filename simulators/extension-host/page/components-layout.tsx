// Layout, text and feedback components, drawn as plain HTML (names and props of @hubspot/ui-extensions 0.17).
import { useContext } from 'react';
import { Host, hs, useCall, type P } from './support';

const gap = (g: unknown) => (typeof g === 'string' ? `var(--hs-gap-${g}, 8px)` : undefined);
const JUSTIFY: Record<string, string> = { start: 'flex-start', end: 'flex-end', center: 'center', between: 'space-between', around: 'space-around' };
const ALIGN: Record<string, string> = { start: 'flex-start', end: 'flex-end', center: 'center', baseline: 'baseline', stretch: 'stretch' };

export const Flex = (p: P) => (
  <div
    {...hs('Flex', p)}
    style={{
      display: 'flex',
      flexDirection: p.direction === 'column' ? 'column' : 'row',
      gap: gap(p.gap),
      justifyContent: JUSTIFY[p.justify] ?? undefined,
      alignItems: ALIGN[p.align] ?? undefined,
      alignSelf: ALIGN[p.alignSelf] ?? undefined,
      flexWrap: p.wrap === true || p.wrap === 'wrap' ? 'wrap' : undefined,
    }}
  >
    {p.children}
  </div>
);

export const Box = (p: P) => (
  <div {...hs('Box', p)} style={{ flex: p.flex === 'auto' ? '1 1 auto' : typeof p.flex === 'number' ? p.flex : undefined, alignSelf: ALIGN[p.alignSelf] }}>
    {p.children}
  </div>
);

export const Text = (p: P) => {
  const f = (p.format ?? {}) as Record<string, string>;
  const style = {
    fontWeight: f.fontWeight === 'bold' ? 700 : f.fontWeight === 'demibold' ? 600 : undefined,
    fontStyle: f.italic ? 'italic' : undefined,
    textDecoration: f.lineDecoration === 'strikethrough' ? 'line-through' : f.lineDecoration === 'underline' ? 'underline' : undefined,
    textTransform: f.textTransform as 'uppercase' | undefined,
  };
  const Tag = p.inline ? 'span' : 'p';
  return (
    <Tag className={`hs-text ${p.variant === 'microcopy' ? 'hs-microcopy' : ''}`} {...hs('Text', p)} style={style}>
      {p.children}
    </Tag>
  );
};

export const Heading = (p: P) => (
  <h3 className="hs-heading" {...hs('Heading', p)}>
    {p.children}
  </h3>
);

export const Divider = (p: P) => <hr className="hs-divider" {...hs('Divider', p)} />;
export const Spacer = (p: P) => <div {...hs('Spacer', p)} style={{ height: 12 }} />;

/** @hubspot/ui-extensions/pages PageLink: a link to another route of the same app page (no reload). */
export const PageLink = (p: P) => {
  const host = useContext(Host);
  const params = (p.params ?? {}) as Record<string, string>;
  const query = new URLSearchParams(params).toString();
  return (
    <a
      className="hs-link"
      {...hs('PageLink', p)}
      href={`#${String(p.to ?? '/')}${query ? `?${query}` : ''}`}
      onClick={(e) => {
        e.preventDefault();
        host.navigate?.({ path: String(p.to ?? '/'), params });
      }}
    >
      {p.children}
    </a>
  );
};

export const Link = (p: P) => {
  const call = useCall();
  const href = typeof p.href === 'string' ? p.href : p.href?.url;
  return (
    <a
      className="hs-link"
      {...hs('Link', p)}
      href={href ?? '#'}
      target={href ? '_blank' : undefined}
      rel="noopener"
      onClick={(e) => {
        if (!href) e.preventDefault();
        call(p.onClick);
      }}
    >
      {p.children}
    </a>
  );
};

export const Button = (p: P) => {
  const call = useCall();
  return (
    <button
      type="button"
      className={`hs-button hs-button-${p.variant ?? 'secondary'} ${p.size === 'sm' || p.size === 'small' || p.size === 'xs' ? 'hs-button-sm' : ''}`}
      {...hs('Button', p)}
      disabled={!!p.disabled}
      onClick={() => call(p.onClick)}
    >
      {p.children}
    </button>
  );
};
export const LoadingButton = (p: P) => <Button {...p}>{p.loading ? 'Loading…' : p.children}</Button>;
export const ButtonRow = (p: P) => (
  <div {...hs('ButtonRow', p)} style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
    {p.children}
  </div>
);

export const Tag = (p: P) => {
  const call = useCall();
  return (
    <span className={`hs-tag hs-tag-${p.variant ?? 'default'}`} {...hs('Tag', p)} onClick={p.onClick ? () => call(p.onClick) : undefined}>
      {p.children}
    </span>
  );
};

export const StatusTag = (p: P) => (
  <span className={`hs-status hs-status-${p.variant ?? 'default'}`} {...hs('StatusTag', p)}>
    <i className="hs-status-dot" />
    {p.children}
  </span>
);

export const Alert = (p: P) => (
  <div className={`hs-alert hs-alert-${p.variant ?? 'info'}`} {...hs('Alert', p)} role="alert">
    {p.title ? <b className="hs-alert-title">{p.title}</b> : null}
    <div>{p.children}</div>
  </div>
);

export const Tile = (p: P) => (
  <div className={`hs-tile ${p.compact ? 'hs-tile-compact' : ''}`} {...hs('Tile', p)}>
    {p.children}
  </div>
);
export const Card = (p: P) => <Tile {...p} />;

export const DescriptionList = (p: P) => (
  <dl className={`hs-dl ${p.direction === 'row' ? 'hs-dl-row' : ''}`} {...hs('DescriptionList', p)}>
    {p.children}
  </dl>
);
export const DescriptionListItem = (p: P) => (
  <div className="hs-dl-item" {...hs('DescriptionListItem', p)}>
    <dt>{p.label}</dt>
    <dd>{p.children}</dd>
  </div>
);

export const EmptyState = (p: P) => (
  <div className="hs-empty" {...hs('EmptyState', p)}>
    {p.title ? <h4>{p.title}</h4> : null}
    {p.children}
  </div>
);
export const ErrorState = (p: P) => (
  <div className="hs-error-state" {...hs('ErrorState', p)} role="alert">
    {p.title ? <h4>{p.title}</h4> : null}
    {p.children}
  </div>
);
export const LoadingSpinner = (p: P) => (
  <div className="hs-spinner" {...hs('LoadingSpinner', p)} aria-busy="true">
    <i className="hs-spinner-ring" />
    {p.showLabel !== false && p.label ? <span>{p.label}</span> : null}
  </div>
);
export const ProgressBar = (p: P) => (
  <div {...hs('ProgressBar', p)} className="hs-progress" title={p.title}>
    <i style={{ width: `${Math.min(100, (Number(p.value ?? 0) / Number(p.maxValue ?? 100)) * 100)}%` }} />
  </div>
);
export const Image = (p: P) => <img {...hs('Image', p)} src={p.src} alt={p.alt ?? ''} width={p.width} height={p.height} />;

export const PageHeader = (p: P) => (
  <header className="hs-page-header" {...hs('PageHeader', p)}>
    {p.title ? <h2>{p.title}</h2> : null}
    {p.children}
  </header>
);
export const PageTitle = (p: P) => <h2 {...hs('PageTitle', p)}>{p.children}</h2>;
