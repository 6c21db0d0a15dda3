/**
 * An error boundary for islands: when a child throws while rendering, it shows the friendly
 * error panel with a "Try again" button (which re-renders the children) and reports the error to
 * our server. Use it inside other islands; as a top-level island it would need JSX children,
 * which islands cannot take.
 * @module
 */
import { Component, type ComponentChildren } from "preact";
import { ErrorNotice } from "./_client/error_notice.tsx";
import { reportClientError } from "./_client/report_error.ts";

/** Props of {@link ErrorBoundary}. */
export interface ErrorBoundaryProps {
  children?: ComponentChildren;
  /** Called before the children re-render after "Try again". */
  onRetry?: () => void;
}

/** Catches render errors of its children and offers a retry. */
export default class ErrorBoundary extends Component<ErrorBoundaryProps, { error: unknown }> {
  override state = { error: null as unknown };

  static override getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidCatch(error: unknown) {
    reportClientError({
      kind: "boundary",
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
  }

  retry = () => {
    this.props.onRetry?.();
    this.setState({ error: null });
  };

  render() {
    if (this.state.error !== null) {
      return <ErrorNotice error={this.state.error} onRetry={this.retry} />;
    }
    return this.props.children;
  }
}
