// dcmjs, with its warnings off: some quote attribute values (a truncated patient name, say), and logs never carry patient data.
import dcmjs from 'dcmjs';

// 'error' keeps dcmjs's few error lines (VR and length problems, no values); its value-quoting lines are warnings.
dcmjs.log.setLevel('error');

export default dcmjs;
