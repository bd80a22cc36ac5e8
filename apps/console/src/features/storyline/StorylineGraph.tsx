import { ActionIcon, Group, Tooltip } from '@mantine/core';
import { select } from 'd3-selection';
import { zoom, zoomIdentity, zoomTransform, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  linksPath,
  NODE_HEIGHT,
  NODE_WIDTH,
  nodesInRegion,
  originLabel,
  shortCommand,
  type LaidOutNode,
  type StorylineLayout,
} from './layout';

/** Below this zoom the text would be unreadable: nodes are drawn as plain boxes. */
const LABEL_MIN_SCALE = 0.45;
/** The drawn region reaches this many viewports beyond the visible one, so small pans re-render nothing. */
const REGION_MARGIN = 1;
const FALLBACK_SIZE = { width: 1200, height: 700 };

interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  labels: boolean;
}

/** One of the view controls over the graph (zoom, fit, go to the threat). */
function ViewButton(props: {
  tip: string;
  label: string;
  testId: string;
  color?: string;
  onClick: () => void;
  children: string;
}) {
  return (
    <Tooltip label={props.tip}>
      <ActionIcon
        variant="default"
        color={props.color}
        onClick={props.onClick}
        aria-label={props.label}
        data-testid={props.testId}
      >
        {props.children}
      </ActionIcon>
    </Tooltip>
  );
}

function visibleRegion(
  t: ZoomTransform,
  size: { width: number; height: number },
  margin: number,
): Region {
  const w = size.width / t.k;
  const h = size.height / t.k;
  const x0 = -t.x / t.k;
  const y0 = -t.y / t.k;
  return {
    x0: x0 - w * margin,
    y0: y0 - h * margin,
    x1: x0 + w * (1 + margin),
    y1: y0 + h * (1 + margin),
    labels: t.k >= LABEL_MIN_SCALE,
  };
}

function contains(outer: Region, inner: Region): boolean {
  return (
    outer.labels === inner.labels &&
    inner.x0 >= outer.x0 &&
    inner.y0 >= outer.y0 &&
    inner.x1 <= outer.x1 &&
    inner.y1 <= outer.y1
  );
}

/** Fit the whole tree when it stays readable, else show the threat (and its path) at full size. */
export function initialTransform(
  layout: StorylineLayout,
  size: { width: number; height: number },
): ZoomTransform {
  const { minX, maxX, minY, maxY } = layout.bounds;
  const contentW = maxX - minX + NODE_WIDTH + 80;
  const contentH = maxY - minY + NODE_HEIGHT + 80;
  const fit = Math.min(size.width / contentW, size.height / contentH, 1.2);
  if (fit >= 0.6 || !layout.threat) {
    const k = Math.max(fit, 0.1);
    return zoomIdentity
      .translate(
        size.width / 2 - ((minX + maxX) / 2) * k,
        size.height / 2 - ((minY + maxY) / 2) * k,
      )
      .scale(k);
  }
  const threat = layout.threat;
  return zoomIdentity.translate(size.width * 0.65 - threat.x, size.height / 2 - threat.y);
}

export function StorylineGraph({
  layout,
  selectedId,
  onSelect,
  threatMarks,
}: {
  layout: StorylineLayout;
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** Shown on the threat node: KILLED, QUARANTINED. */
  threatMarks: string[];
}) {
  const wrapperRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const sceneRef = useRef<SVGGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const sizeRef = useRef(FALLBACK_SIZE);
  const [region, setRegion] = useState<Region | null>(null);
  const [scale, setScale] = useState(1);

  const staticLinks = useMemo(() => linksPath(layout, false), [layout]);
  const pathLinks = useMemo(() => linksPath(layout, true), [layout]);

  useLayoutEffect(() => {
    const wrapper = wrapperRef.current;
    const svg = svgRef.current;
    if (!wrapper || !svg) return;
    const measure = () => {
      const r = wrapper.getBoundingClientRect();
      sizeRef.current =
        r.width > 0 && r.height > 0 ? { width: r.width, height: r.height } : FALLBACK_SIZE;
    };
    measure();
    // The scene transform is set directly on the DOM: a pan or zoom frame re-renders nothing unless
    // it leaves the region already drawn (or crosses the label threshold).
    const behavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.05, 4])
      .extent(() => [
        [0, 0],
        [sizeRef.current.width, sizeRef.current.height],
      ])
      .on('zoom', (event: { transform: ZoomTransform }) => {
        const t = event.transform;
        sceneRef.current?.setAttribute('transform', t.toString());
        const visible = visibleRegion(t, sizeRef.current, 0);
        setRegion((drawn) =>
          drawn && contains(drawn, visible)
            ? drawn
            : visibleRegion(t, sizeRef.current, REGION_MARGIN),
        );
        setScale((k) => (Math.abs(k - t.k) > 0.01 ? t.k : k));
      });
    zoomRef.current = behavior;
    const selection = select(svg);
    selection.call(behavior).on('dblclick.zoom', null);
    selection.call(behavior.transform, initialTransform(layout, sizeRef.current));
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    observer?.observe(wrapper);
    return () => {
      observer?.disconnect();
      selection.on('.zoom', null);
    };
  }, [layout]);

  // A node selected off screen (from the keyboard, or the parent link) is brought into view.
  useEffect(() => {
    const svg = svgRef.current;
    const node = selectedId ? layout.byId.get(selectedId) : undefined;
    if (!svg || !zoomRef.current || !node) return;
    const [x, y] = zoomTransform(svg).apply([node.x, node.y]);
    const { width, height } = sizeRef.current;
    const margin = NODE_WIDTH / 2;
    if (x < margin || y < NODE_HEIGHT || x > width - margin || y > height - NODE_HEIGHT)
      select(svg).call(zoomRef.current.translateTo, node.x, node.y);
  }, [layout, selectedId]);

  const zoomBy = useCallback((factor: number) => {
    const svg = svgRef.current;
    if (svg && zoomRef.current) select(svg).call(zoomRef.current.scaleBy, factor);
  }, []);
  const reset = useCallback(() => {
    const svg = svgRef.current;
    if (svg && zoomRef.current)
      select(svg).call(zoomRef.current.transform, initialTransform(layout, sizeRef.current));
  }, [layout]);
  const focusThreat = useCallback(() => {
    const svg = svgRef.current;
    const threat = layout.threat;
    if (!svg || !zoomRef.current || !threat) return;
    const { width, height } = sizeRef.current;
    select(svg).call(
      zoomRef.current.transform,
      zoomIdentity.translate(width / 2 - threat.x, height / 2 - threat.y),
    );
    onSelect(threat.id);
  }, [layout, onSelect]);

  const drawn = useMemo(() => {
    if (!region) return [];
    const inView = nodesInRegion(layout.nodes, region);
    // The path to the threat is always drawn, wherever the view is.
    const seen = new Set(inView.map((n) => n.id));
    for (const id of layout.pathIds) {
      const n = layout.byId.get(id);
      if (n && !seen.has(id)) inView.push(n);
    }
    return inView;
  }, [layout, region]);

  const labels = region?.labels ?? true;
  return (
    <div ref={wrapperRef} style={{ position: 'relative', width: '100%', height: '100%' }}>
      <Group gap={4} style={{ position: 'absolute', top: 8, left: 8, zIndex: 1 }}>
        <ViewButton
          tip="Zoom in"
          label="Zoom in"
          testId="storyline-zoom-in"
          onClick={() => zoomBy(1.4)}
        >
          +
        </ViewButton>
        <ViewButton
          tip="Zoom out"
          label="Zoom out"
          testId="storyline-zoom-out"
          onClick={() => zoomBy(1 / 1.4)}
        >
          −
        </ViewButton>
        <ViewButton tip="Fit" label="Reset view" testId="storyline-fit" onClick={reset}>
          ⤢
        </ViewButton>
        <ViewButton
          tip="Go to the threat"
          label="Go to the threat"
          testId="storyline-focus-threat"
          color="red"
          onClick={focusThreat}
        >
          ◎
        </ViewButton>
      </Group>
      <svg
        ref={svgRef}
        className="storyline-canvas"
        width="100%"
        height="100%"
        data-testid="storyline-svg"
        data-node-count={layout.nodes.length}
        data-drawn-count={drawn.length}
        data-scale={scale.toFixed(2)}
        role="tree"
        aria-label="Process storyline"
      >
        <g ref={sceneRef}>
          <path
            d={staticLinks}
            fill="none"
            stroke="var(--mantine-color-dark-3)"
            strokeWidth={1.2}
          />
          <path
            d={pathLinks}
            fill="none"
            stroke="var(--mantine-color-red-6)"
            strokeWidth={3}
            data-testid="storyline-threat-path"
          />
          {drawn.map((n) => (
            <StorylineNodeView
              key={n.id}
              node={n}
              labels={labels}
              selected={n.id === selectedId}
              marks={n.isThreat ? threatMarks : undefined}
              onSelect={onSelect}
            />
          ))}
        </g>
      </svg>
    </div>
  );
}

const StorylineNodeView = memo(function StorylineNodeView({
  node,
  labels,
  selected,
  marks,
  onSelect,
}: {
  node: LaidOutNode;
  labels: boolean;
  selected: boolean;
  marks: string[] | undefined;
  onSelect: (id: string) => void;
}) {
  const fill = node.isThreat
    ? 'var(--mantine-color-red-9)'
    : node.onPath
      ? 'var(--mantine-color-dark-5)'
      : 'var(--mantine-color-dark-6)';
  const stroke = selected
    ? 'var(--mantine-color-blue-4)'
    : node.isThreat
      ? 'var(--mantine-color-red-4)'
      : node.onPath
        ? 'var(--mantine-color-red-7)'
        : 'var(--mantine-color-dark-3)';
  const origin = node.process?.origin ? originLabel(node.process.origin) : null;
  return (
    <g
      transform={`translate(${node.x - NODE_WIDTH / 2},${node.y - NODE_HEIGHT / 2})`}
      onClick={() => onSelect(node.id)}
      style={{ cursor: 'pointer' }}
      data-testid="storyline-node"
      data-process-id={node.id}
      data-name={node.name}
      data-threat={node.isThreat || undefined}
      data-on-path={node.onPath || undefined}
      data-selected={selected || undefined}
      role="treeitem"
      aria-selected={selected}
    >
      <rect
        width={NODE_WIDTH}
        height={NODE_HEIGHT}
        rx={4}
        fill={fill}
        stroke={stroke}
        strokeWidth={selected || node.isThreat ? 2.5 : node.onPath ? 1.8 : 1}
      />
      {labels && (
        <>
          <text x={8} y={11} fontSize={11} fontWeight={700} fill="var(--mantine-color-gray-0)">
            {shortCommand(node.name, 24)}
            {origin && (
              <tspan fontWeight={400} fill="var(--mantine-color-blue-3)">
                {' '}
                · {origin}
              </tspan>
            )}
          </text>
          <text
            x={8}
            y={22}
            fontSize={9.5}
            fontFamily="monospace"
            fill="var(--mantine-color-gray-4)"
          >
            {shortCommand(node.command, 34)}
          </text>
        </>
      )}
      {marks && marks.length > 0 && (
        <g transform={`translate(0,${NODE_HEIGHT + 3})`} data-testid="storyline-threat-marks">
          {marks.map((m, i) => (
            <g key={m} transform={`translate(${i * 92},0)`}>
              <rect
                width={88}
                height={15}
                rx={3}
                fill={
                  m === 'KILLED' ? 'var(--mantine-color-red-7)' : 'var(--mantine-color-orange-7)'
                }
              />
              <text x={44} y={11} fontSize={9.5} fontWeight={700} textAnchor="middle" fill="white">
                {m}
              </text>
            </g>
          ))}
        </g>
      )}
    </g>
  );
});
