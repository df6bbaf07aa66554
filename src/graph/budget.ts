import {
  OperationTypeNode,
  getOperationAST,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { requestScope } from '../observability/request-context';
import { estimateUpstreamCalls } from './cost';

/**
 * The budget of upstream calls per query (MAX_UPSTREAM_CALLS). Before execution the query's calls are
 * estimated (cost.ts): over budget, it is refused with one error and nothing is sent upstream. Admitted, its
 * calls are counted as they are made (the HTTP core charges each one to the request): past the budget the
 * remaining ones are not sent, and the answer carries one budget error, not one per field that could not be
 * resolved. Mutations are bounded by their inputs (at most 2,000 NIPs...) and are not counted.
 */
const BUDGET_CODE = 'UPSTREAM_BUDGET_EXCEEDED';

export function upstreamBudget(limit: number): Plugin {
  return {
    onExecute({
      args,
      setResultAndStopExecution,
    }: {
      args: ExecutionArgs;
      setResultAndStopExecution: (result: ExecutionResult) => void;
    }) {
      const { document, operationName, variableValues, schema } = args;
      if (getOperationAST(document, operationName)?.operation !== OperationTypeNode.QUERY) return;
      const estimate = estimateUpstreamCalls(schema, document, operationName, variableValues ?? {});
      if (estimate > limit) {
        setResultAndStopExecution({
          errors: [
            createGraphQLError(
              `This query would make about ${estimate} calls to ScoDoc and Moodle; a request may make at most ${limit} (MAX_UPSTREAM_CALLS). Ask for fewer items (first:), fewer fields per item, or page through the list.`,
              { extensions: { code: BUDGET_CODE, estimate, budget: limit } },
            ),
          ],
        });
        return;
      }
      const scope = requestScope.getStore();
      if (scope) scope.budget = { limit, used: 0 };
      return {
        onExecuteDone({ result: done, setResult }) {
          // Queries are not streamed here (no @defer/@stream): one result.
          const result = done as ExecutionResult;
          if (!result.errors) return;
          const spent = result.errors.filter(isBudgetError);
          if (spent.length <= 1) return;
          const first = spent[0]!;
          const others = result.errors.filter((e) => !isBudgetError(e));
          setResult({
            ...result,
            errors: [
              ...others,
              createGraphQLError(
                `This request used its budget of ${limit} calls to ScoDoc and Moodle (MAX_UPSTREAM_CALLS): ${spent.length} fields were left out (null). Ask for fewer items, or page through the list.`,
                {
                  path: first.path,
                  extensions: { code: BUDGET_CODE, budget: limit, fieldsLeftOut: spent.length },
                },
              ),
            ],
          });
        },
      };
    },
  };
}

function isBudgetError(e: GraphQLError): boolean {
  const original = e.originalError as { code?: string } | undefined;
  return e.extensions?.code === BUDGET_CODE || original?.code === 'BUDGET';
}
