import {
  applyDecorators,
  BadRequestException,
  Body,
  HttpCode,
  PipeTransform,
  Query,
  SetMetadata,
} from '@nestjs/common';
import type { ZodType } from 'zod';

export const BODY_SCHEMA = 'driftlock:body-schema';
export const QUERY_SCHEMA = 'driftlock:query-schema';
export const RESPONSE_SCHEMA = 'driftlock:response-schema';
export const SUMMARY = 'driftlock:summary';

export interface ResponseSpec {
  schema: ZodType | null;
  status: number;
}

/** Validates at the edge with a protocol schema; a failure is a 400 listing every issue. */
export class ZodPipe implements PipeTransform {
  constructor(private readonly schema: ZodType) {}

  transform(value: unknown): unknown {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid request: ' + result.error.issues.map((i) => formatIssue(i)).join('; '),
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
}

function formatIssue(issue: { path: PropertyKey[]; message: string }): string {
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

function recordSchema(key: string, schema: ZodType): ParameterDecorator {
  return (target, propertyKey) => {
    if (propertyKey === undefined) return;
    const method = (target as Record<PropertyKey, object>)[propertyKey];
    Reflect.defineMetadata(key, schema, method);
  };
}

/** The request body, validated with `schema` (and documented in OpenAPI). */
export function ValidBody(schema: ZodType): ParameterDecorator {
  return (target, key, index) => {
    recordSchema(BODY_SCHEMA, schema)(target, key, index);
    Body(new ZodPipe(schema))(target, key, index);
  };
}

/** The query string, validated with `schema` (and documented in OpenAPI). */
export function ValidQuery(schema: ZodType): ParameterDecorator {
  return (target, key, index) => {
    recordSchema(QUERY_SCHEMA, schema)(target, key, index);
    Query(new ZodPipe(schema))(target, key, index);
  };
}

/** Documents the response (`null` for no body) and sets the status code. */
export function Returns(schema: ZodType | null, status = 200): MethodDecorator {
  const spec: ResponseSpec = { schema, status };
  return applyDecorators(SetMetadata(RESPONSE_SCHEMA, spec), HttpCode(status));
}

export const ApiSummary = (summary: string) => SetMetadata(SUMMARY, summary);
