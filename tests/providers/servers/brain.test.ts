import { describe, expect, it } from 'vitest';
import { planPrompt, stepPrompt, synthesisPrompt } from '../../../src/agents/prompts.ts';
import { chattyJson, createTaskBrain, FINAL_ANSWER_TOOL, NOTE_CONTENT, NOTE_TASK, notePlan, THINKING } from './brain.ts';
import { ABORT_SIGNAL as signal, FABRICATED_OUTCOME, READ_STEP, stepText, WRITE_CALL, WRITE_STEP, WRITTEN, WROTE_OUTCOME } from './test-fixtures.ts';
import type { Brain, BrainRequest } from './types.ts';

// The task brain, asked directly with the library's real prompts (src/agents/prompts.ts).

const brain = createTaskBrain();

describe('createTaskBrain', () => {
  const TOOL_INFOS = [
    { name: 'writeFile', description: 'Writes a file' },
    { name: 'readFile', description: 'Reads a file' },
  ];
  const toolsOf = (...names: string[]) => names.map((name) => ({ name, description: '', parameters: {} }));
  const ask = (prompt: string, extra: Partial<BrainRequest> = {}, taskBrain: Brain = brain) =>
    taskBrain({
      server: 'test',
      model: 'm',
      messages: [
        { role: 'system', content: 'You are the executor.' },
        { role: 'user', content: prompt },
      ],
      tools: [],
      responseFormat: null,
      toolCallsAllowed: false,
      formatEnforced: false,
      ...extra,
    });
  /** The step prompt followed by a call of each tool and its result. */
  const withResults = (prompt: string, results: ReadonlyArray<readonly [string, unknown]>, extra: Partial<BrainRequest> = {}, taskBrain: Brain = brain) =>
    ask(
      prompt,
      {
        ...extra,
        messages: [
          { role: 'user', content: prompt },
          ...results.flatMap(([tool, result], index) => [
            { role: 'assistant' as const, content: '', toolCalls: [{ id: `c${index}`, name: tool, arguments: '{}' }] },
            { role: 'tool' as const, content: JSON.stringify(result), toolCallId: `c${index}`, toolName: tool },
          ]),
        ],
      },
      taskBrain,
    );
  const planRequest = { task: NOTE_TASK, maxPlanSteps: 10, feedback: [], abortSignal: signal };

  it('plans the write then the read, hinting the tools the planner was told about', () => {
    const reply = ask(planPrompt({ ...planRequest, tools: TOOL_INFOS }));
    expect(JSON.parse(reply.content!)).toEqual(notePlan('writeFile readFile'));
    expect(notePlan('writeFile readFile').steps.map((step) => [step.id, step.dependsOn, step.toolHint])).toEqual([
      ['s1', [], 'writeFile'],
      ['s2', ['s1'], 'readFile'],
    ]);
    expect(JSON.parse(ask(planPrompt({ ...planRequest, tools: [] })).content!).steps.map((step: { toolHint: unknown }) => step.toolHint)).toEqual([null, null]);
  });

  it('answers exactly the fields of a native json_schema, in its order', () => {
    const responseFormat = {
      type: 'json_schema' as const,
      name: 'response',
      strict: true,
      schema: { properties: { rationale: {}, goal: {}, steps: {}, extra: {} } },
    };
    const reply = ask(planPrompt({ ...planRequest, tools: TOOL_INFOS }), { responseFormat });
    expect(Object.keys(JSON.parse(reply.content!))).toEqual(['rationale', 'goal', 'steps', 'extra']);
    expect(JSON.parse(reply.content!).extra).toBeNull();
  });

  it('writes with writeFile, then reports the outcome as JSON (fenced when asked)', () => {
    const tools = toolsOf('writeFile', 'readFile');
    expect(ask(stepText(WRITE_STEP), { tools, toolCallsAllowed: true })).toEqual({ toolCalls: [WRITE_CALL] });
    expect(withResults(stepText(WRITE_STEP), [['writeFile', JSON.parse(WRITTEN)]], { tools, toolCallsAllowed: true })).toEqual({
      content: JSON.stringify(WROTE_OUTCOME),
    });
    const fenced = withResults(
      stepText(WRITE_STEP),
      [['writeFile', JSON.parse(WRITTEN)]],
      { tools, toolCallsAllowed: true },
      createTaskBrain({ fenceJson: true }),
    );
    expect(fenced).toEqual({ content: `\`\`\`json\n${JSON.stringify(WROTE_OUTCOME)}\n\`\`\`` });
  });

  it('as a chatty thinking model: reasoning before every answer, prose around JSON written with no response format, none under one', () => {
    const persona = createTaskBrain({ thinks: true, chatty: true });
    const tools = toolsOf('writeFile', 'readFile');
    const written = [['writeFile', JSON.parse(WRITTEN)]] as const;
    const responseFormat = { type: 'json_schema' as const, name: 'response', strict: true, schema: { properties: { success: {}, output: {}, error: {} } } };
    expect(ask(stepText(WRITE_STEP), { tools, toolCallsAllowed: true }, persona)).toEqual({ toolCalls: [WRITE_CALL], reasoning: THINKING });
    expect(withResults(stepText(WRITE_STEP), written, { tools, toolCallsAllowed: true }, persona)).toEqual({
      content: chattyJson(JSON.stringify(WROTE_OUTCOME)),
      reasoning: THINKING,
    });
    expect(withResults(stepText(WRITE_STEP), written, { tools, toolCallsAllowed: true, responseFormat }, persona)).toEqual({
      content: JSON.stringify(WROTE_OUTCOME),
      reasoning: THINKING,
    });
  });

  it('finishes with report_step_outcome when that tool is offered, and answers content once it was called', () => {
    const tools = toolsOf('writeFile', 'readFile', FINAL_ANSWER_TOOL);
    expect(withResults(stepText(WRITE_STEP), [['writeFile', JSON.parse(WRITTEN)]], { tools, toolCallsAllowed: true })).toEqual({
      toolCalls: [{ name: FINAL_ANSWER_TOOL, arguments: WROTE_OUTCOME }],
    });
    const reported = withResults(
      stepText(WRITE_STEP),
      [
        ['writeFile', JSON.parse(WRITTEN)],
        [FINAL_ANSWER_TOOL, { recorded: true }],
      ],
      { tools, toolCallsAllowed: true },
    );
    expect(reported).toEqual({ content: JSON.stringify(WROTE_OUTCOME) });
  });

  it.each([
    [
      'the content the tool returned',
      { ok: true, path: 'note.txt', content: NOTE_CONTENT, size: 19, truncated: false },
      { success: true, output: NOTE_CONTENT, error: null },
    ],
    [
      'a failure the tool reported',
      { ok: false, error: 'Cannot read "note.txt": no such file or directory (ENOENT)' },
      { success: false, output: '', error: 'Cannot read "note.txt": no such file or directory (ENOENT)' },
    ],
  ])('reads with readFile and reports %s', (_case, result, outcome) => {
    const tools = toolsOf('writeFile', 'readFile');
    expect(ask(stepText(READ_STEP), { tools, toolCallsAllowed: true })).toEqual({ toolCalls: [{ name: 'readFile', arguments: { path: 'note.txt' } }] });
    expect(JSON.parse(withResults(stepText(READ_STEP), [['readFile', result]], { tools, toolCallsAllowed: true }).content!)).toEqual(outcome);
  });

  it.each([
    ['fabricate', FABRICATED_OUTCOME],
    ['admit', { success: false, output: '', error: 'The writeFile tool is not available, so note.txt could not be written.' }],
  ] as const)('when no tool call can get out, %ss the outcome', (withoutTools, outcome) => {
    const reply = ask(stepText(WRITE_STEP), { tools: toolsOf('writeFile'), toolCallsAllowed: false }, createTaskBrain({ withoutTools }));
    expect(JSON.parse(reply.content!)).toEqual(outcome);
  });

  it('in text mode (no response format, the text instruction in the prompt) answers the output as plain text, or FAILED: and the error', () => {
    const tools = toolsOf('writeFile', 'readFile');
    const allowed = { tools, toolCallsAllowed: true };
    // The real text-mode step prompt (src/agents/prompts.ts), which ends with TEXT_OUTCOME_INSTRUCTION.
    const textStep = (step: typeof WRITE_STEP) =>
      stepPrompt({ task: NOTE_TASK, step: step!, dependencies: [], attempt: 1, previousError: null, maxIterations: 5, abortSignal: signal }, 'text');
    const missing = { ok: false, error: 'Cannot read "note.txt": no such file or directory (ENOENT)' };
    expect(ask(textStep(WRITE_STEP), allowed)).toEqual({ toolCalls: [WRITE_CALL] });
    expect(withResults(textStep(WRITE_STEP), [['writeFile', JSON.parse(WRITTEN)]], allowed)).toEqual({ content: 'Wrote 19 bytes to note.txt.' });
    expect(withResults(textStep(READ_STEP), [['readFile', { ok: true, path: 'note.txt', content: NOTE_CONTENT }]], allowed)).toEqual({ content: NOTE_CONTENT });
    expect(withResults(textStep(READ_STEP), [['readFile', missing]], allowed)).toEqual({
      content: 'FAILED: Cannot read "note.txt": no such file or directory (ENOENT)',
    });
    expect(ask(textStep(WRITE_STEP), { tools: toolsOf('writeFile'), toolCallsAllowed: false }, createTaskBrain({ withoutTools: 'admit' }))).toEqual({
      content: 'FAILED: The writeFile tool is not available, so note.txt could not be written.',
    });
    // Not fenced: the fence is for JSON answered without a response format.
    const fenced = createTaskBrain({ fenceJson: true });
    expect(withResults(textStep(WRITE_STEP), [['writeFile', JSON.parse(WRITTEN)]], allowed, fenced)).toEqual({ content: 'Wrote 19 bytes to note.txt.' });
    // With a response format the same prompt gets the outcome as JSON (mode a), as a constrained model must.
    const responseFormat = { type: 'json_schema' as const, name: 'response', strict: true, schema: { properties: { success: {}, output: {}, error: {} } } };
    expect(withResults(textStep(WRITE_STEP), [['writeFile', JSON.parse(WRITTEN)]], { ...allowed, responseFormat })).toEqual({
      content: JSON.stringify(WROTE_OUTCOME),
    });
  });

  it('synthesises from the last step result, aborts a replan, and refuses a request it cannot place', () => {
    const prompt = synthesisPrompt({
      task: NOTE_TASK,
      goal: 'g',
      steps: [
        { id: 's1', description: 'Write', output: 'Wrote 19 bytes' },
        { id: 's2', description: 'Read', output: NOTE_CONTENT },
      ],
      abortSignal: signal,
    });
    expect(ask(prompt)).toEqual({ content: `The file note.txt contains: ${NOTE_CONTENT}` });
    expect(JSON.parse(ask('A step of the plan failed. Decide what to do.').content!)).toEqual({
      action: 'abort',
      steps: null,
      rationale: 'The task brain does not revise plans.',
    });
    expect(() =>
      brain({
        server: 'test',
        model: 'm',
        messages: [{ role: 'user', content: 'Hello' }],
        tools: [],
        responseFormat: null,
        toolCallsAllowed: false,
        formatEnforced: false,
      }),
    ).toThrow('task brain: cannot tell which role this request is for');
  });
});
