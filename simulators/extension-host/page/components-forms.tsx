// Inputs. As in HubSpot: `onInput` fires on every keystroke, `onChange` when the value is committed
// (blur / pick); a `readOnly` or `disabled` input cannot be edited.
import { Field, hs, useCall, useId, useMirror, type P } from './support';

type Opt = { label: string; value: string | number };
const locked = (p: P) => !!(p.readOnly || p.readonly || p.disabled);

function TextLike(p: P & { kind: 'Input' | 'TextArea' | 'SearchInput' }) {
  const call = useCall();
  const id = useId(p.kind);
  const [v, setV] = useMirror<string>(p.value, p.defaultValue ?? '');
  const common = {
    id,
    name: p.name,
    value: v,
    placeholder: p.placeholder,
    readOnly: locked(p),
    disabled: !!p.disabled,
    maxLength: p.maxLength,
    'aria-invalid': p.error ? true : undefined,
    onInput: (e: { currentTarget: { value: string } }) => {
      setV(e.currentTarget.value);
      call(p.onInput, e.currentTarget.value);
    },
    onChange: (e: { currentTarget: { value: string } }) => setV(e.currentTarget.value),
    onBlur: (e: { currentTarget: { value: string } }) => {
      call(p.onChange, e.currentTarget.value);
      call(p.onBlur, e.currentTarget.value);
    },
    onFocus: () => call(p.onFocus),
  };
  const control = p.kind === 'TextArea' ? <textarea {...common} rows={p.rows ?? 3} /> : <input {...common} type={p.type === 'password' ? 'password' : 'text'} />;
  return <Field {...p} name={p.kind} id={id} control={control} />;
}

export const Input = (p: P) => <TextLike {...p} kind="Input" />;
export const TextArea = (p: P) => <TextLike {...p} kind="TextArea" />;
export const SearchInput = (p: P) => <TextLike {...p} kind="SearchInput" />;

export const Select = (p: P) => {
  const call = useCall();
  const id = useId('Select');
  const options = (p.options ?? []) as Opt[];
  const [v, setV] = useMirror<string>(p.value === undefined ? undefined : String(p.value ?? ''), '');
  const control = (
    <select
      id={id}
      name={p.name}
      value={v}
      disabled={locked(p)}
      onChange={(e) => {
        setV(e.currentTarget.value);
        const o = options.find((x) => String(x.value) === e.currentTarget.value);
        call(p.onChange, o ? o.value : e.currentTarget.value);
      }}
    >
      <option value="">{p.placeholder ?? 'Select…'}</option>
      {options.map((o) => (
        <option key={String(o.value)} value={String(o.value)}>
          {o.label}
        </option>
      ))}
    </select>
  );
  return <Field {...p} name="Select" id={id} control={control} />;
};

export const MultiSelect = (p: P) => {
  const call = useCall();
  const id = useId('MultiSelect');
  const options = (p.options ?? []) as Opt[];
  const [v, setV] = useMirror<string[]>(Array.isArray(p.value) ? p.value.map(String) : undefined, []);
  const control = (
    <select
      id={id}
      multiple
      name={p.name}
      value={v}
      disabled={locked(p)}
      onChange={(e) => {
        const picked = Array.from(e.currentTarget.selectedOptions).map((o) => o.value);
        setV(picked);
        call(p.onChange, options.filter((o) => picked.includes(String(o.value))).map((o) => o.value));
      }}
    >
      {options.map((o) => (
        <option key={String(o.value)} value={String(o.value)}>
          {o.label}
        </option>
      ))}
    </select>
  );
  return <Field {...p} name="MultiSelect" id={id} control={control} />;
};

export const NumberInput = (p: P) => {
  const call = useCall();
  const id = useId('NumberInput');
  const [v, setV] = useMirror<string>(p.value === undefined || p.value === null ? undefined : String(p.value), p.defaultValue === undefined ? '' : String(p.defaultValue));
  const control = (
    <input
      id={id}
      type="number"
      name={p.name}
      value={v}
      min={p.min}
      max={p.max}
      readOnly={locked(p)}
      onChange={(e) => {
        setV(e.currentTarget.value);
        if (e.currentTarget.value !== '') call(p.onChange, Number(e.currentTarget.value));
      }}
      onBlur={(e) => call(p.onBlur, Number(e.currentTarget.value))}
    />
  );
  return <Field {...p} name="NumberInput" id={id} control={control} />;
};
export const StepperInput = (p: P) => <NumberInput {...p} />;
export const CurrencyInput = (p: P) => <NumberInput {...p} />;

export const Toggle = (p: P) => {
  const call = useCall();
  const [on, setOn] = useMirror<boolean>(p.checked === undefined ? undefined : !!p.checked, !!p.initialIsChecked);
  return (
    <label className="hs-toggle" {...hs('Toggle', p)} data-checked={on ? 'true' : 'false'}>
      <input
        type="checkbox"
        role="switch"
        name={p.name}
        checked={on}
        disabled={locked(p)}
        onChange={(e) => {
          setOn(e.currentTarget.checked);
          call(p.onChange, e.currentTarget.checked);
        }}
      />
      <span>{p.label}</span>
    </label>
  );
};

export const Checkbox = (p: P) => {
  const call = useCall();
  const [on, setOn] = useMirror<boolean>(p.checked === undefined ? undefined : !!p.checked, !!p.initialIsChecked);
  return (
    <label className="hs-check" {...hs('Checkbox', p)}>
      <input
        type="checkbox"
        name={p.name}
        checked={on}
        disabled={locked(p)}
        onChange={(e) => {
          setOn(e.currentTarget.checked);
          call(p.onChange, e.currentTarget.checked, p.value);
        }}
      />
      <span>{p.children}</span>
    </label>
  );
};

export const RadioButton = (p: P) => {
  const call = useCall();
  return (
    <label className="hs-check" {...hs('RadioButton', p)}>
      <input type="radio" name={p.name} checked={!!p.checked} disabled={locked(p)} onChange={() => call(p.onChange, p.value)} />
      <span>{p.children}</span>
    </label>
  );
};

export const DateInput = (p: P) => {
  const call = useCall();
  const id = useId('DateInput');
  const val = p.value && typeof p.value === 'object' ? `${p.value.year}-${String(p.value.month + 1).padStart(2, '0')}-${String(p.value.date).padStart(2, '0')}` : '';
  const control = (
    <input
      id={id}
      type="date"
      value={val}
      readOnly={locked(p)}
      onChange={(e) => {
        const [y, m, d] = e.currentTarget.value.split('-').map(Number);
        call(p.onChange, e.currentTarget.value ? { year: y, month: m - 1, date: d } : null);
      }}
    />
  );
  return <Field {...p} name="DateInput" id={id} control={control} />;
};

export const Form = (p: P) => {
  const call = useCall();
  return (
    <form
      {...hs('Form', p)}
      onSubmit={(e) => {
        e.preventDefault();
        call(p.onSubmit);
      }}
    >
      {p.children}
    </form>
  );
};
