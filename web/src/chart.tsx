import { Group, Text } from '@mantine/core'

type Day = { day: string; queued: number; sent: number; failed: number }

const SERIES = [
  { key: 'sent', label: 'Sent', color: 'var(--mantine-color-teal-6)' },
  { key: 'queued', label: 'Queued', color: 'var(--mantine-color-yellow-6)' },
  { key: 'failed', label: 'Failed', color: 'var(--mantine-color-red-6)' },
] as const

/** Messages per day as stacked bars, drawn as SVG: no charting library for seven bars. */
export function NotificationsChart({ days }: { days: Day[] }) {
  const height = 120
  const barWidth = 28
  const gap = 14
  const highest = Math.max(1, ...days.map((day) => day.sent + day.queued + day.failed))
  const summary = days
    .map((day) => `${day.day}: ${day.sent} sent, ${day.queued} queued, ${day.failed} failed`)
    .join('; ')
  return (
    <div>
      <svg
        role="img"
        aria-label={`Notifications per day. ${summary}`}
        viewBox={`0 0 ${days.length * (barWidth + gap)} ${height + 18}`}
        width="100%"
        style={{ maxWidth: 520 }}
      >
        {days.map((day, index) => {
          let top = height
          return (
            <g key={day.day} transform={`translate(${index * (barWidth + gap)}, 0)`}>
              {SERIES.map((series) => {
                const size = (day[series.key] / highest) * height
                top -= size
                return (
                  <rect
                    key={series.key}
                    y={top}
                    width={barWidth}
                    height={size}
                    fill={series.color}
                  />
                )
              })}
              <text x={barWidth / 2} y={height + 14} fontSize="10" textAnchor="middle">
                {day.day.slice(5)}
              </text>
            </g>
          )
        })}
      </svg>
      <Group gap="md">
        {SERIES.map((series) => (
          <Group key={series.key} gap={4}>
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={series.color} />
            </svg>
            <Text size="xs">{series.label}</Text>
          </Group>
        ))}
      </Group>
    </div>
  )
}
