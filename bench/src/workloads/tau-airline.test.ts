import { describe, expect, it } from 'vitest';
import { type Message, type Trajectory, tauEpisodeOf } from './tau-airline.js';

const call = (id: string, name: string): Message => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id, function: { name, arguments: '{"reservation_id":"ABC123"}' } }],
});
const reply = (id: string, content: string): Message => ({ role: 'tool', tool_call_id: id, content });

const trajectory = (traj: Message[]): Trajectory => ({
  task_id: 7,
  trial: 1,
  reward: 1,
  info: {
    task: {
      instruction: 'cancel',
      actions: [{ name: 'get_reservation_details' }, { name: 'cancel_reservation' }],
    },
  },
  traj: [{ role: 'user', content: 'Please cancel ABC123' }, ...traj],
});

describe('tauEpisodeOf', () => {
  it('pairs each call with the reply that follows it when call ids repeat', () => {
    const episode = tauEpisodeOf(
      trajectory([
        call('call_1', 'cancel_reservation'),
        reply('call_1', 'Error: reservation not found'),
        call('call_1', 'get_reservation_details'),
        reply('call_1', '{"reservation_id": "ABC123"}'),
        call('call_1', 'cancel_reservation'),
        reply('call_1', '{"status": "cancelled"}'),
      ]),
      10_000,
      10_000,
    );
    expect(episode.steps.map((step) => [step.action, step.success, step.result])).toEqual([
      ['cancel_reservation', false, 'Error: reservation not found'],
      ['get_reservation_details', true, '{"reservation_id": "ABC123"}'],
      ['cancel_reservation', true, '{"status": "cancelled"}'],
    ]);
    expect(episode).toMatchObject({
      taskType: 'cancel_reservation',
      succeeded: true,
      context: 'Please cancel ABC123',
      groundTruth: ['get_reservation_details', 'cancel_reservation'],
    });
    expect(episode.steps[0]?.metadata).toEqual({ arguments: { reservation_id: 'ABC123' } });
  });

  it('leaves a call without a reply with an empty result', () => {
    const episode = tauEpisodeOf(trajectory([call('a', 'think')]), 100, 100);
    expect(episode.steps).toEqual([expect.objectContaining({ action: 'think', result: '', success: true })]);
  });
});
